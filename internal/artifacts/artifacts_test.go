package artifacts

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

func TestGlobMatches(t *testing.T) {
	t.Parallel()
	tests := []struct {
		glob string
		path string
		want bool
	}{
		{"bin/app", "bin/app", true},
		{"bin", "bin/app", true}, // a directory takes everything under it
		{"bin", "bin/sub/deep.txt", true},
		{"bin", "binary", false},
		{"./dist/", "dist/x.js", true},
		{"*.txt", "a.txt", true},
		{"*.txt", "dir/a.txt", false}, // * stays in one segment
		{"**/*.txt", "a.txt", true},
		{"**/*.txt", "dir/sub/a.txt", true},
		{"build/**/report.xml", "build/report.xml", true},
		{"build/**/report.xml", "build/x/y/report.xml", true},
		{"build/**", "build/x/y", true},
		{"file?.log", "file1.log", true},
		{"file?.log", "file12.log", false},
		{"out/[ab].bin", "out/a.bin", true},
		{"out/[!ab].bin", "out/a.bin", false},
		{"out/[!ab].bin", "out/c.bin", true},
		{"a+b(c)", "a+b(c)", true}, // regexp characters are literal
		{`weird\*name`, "weird*name", true},
		{`weird\*name`, "weirdXname", false},
	}
	for _, tt := range tests {
		p, err := compile(tt.glob)
		if err != nil {
			t.Errorf("compile(%q): %v", tt.glob, err)
			continue
		}
		if got := p.matches(tt.path); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.glob, tt.path, got, tt.want)
		}
	}
}

func TestGlobErrors(t *testing.T) {
	t.Parallel()
	for glob, want := range map[string]string{
		"":          `artifact path "": expected a path inside the project directory`,
		"../secret": `artifact path "../secret": expected a path inside the project directory`,
		"/etc":      `artifact path "/etc": expected a path inside the project directory`,
		".":         `artifact path ".": expected a path inside the project directory`,
		"out/[ab":   `artifact path "out/[ab": column 5: '[' without a closing ']'`,
	} {
		if _, err := compile(glob); err == nil || err.Error() != want {
			t.Errorf("compile(%q) = %v, want %q", glob, err, want)
		}
	}
}

// Compiling never panics, and a glob without special characters matches
// exactly its own cleaned path.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"bin/app", "**/*.txt", "out/[!ab].bin", `a\*b`, "a/**/b/**"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, glob string) {
		p, err := compile(glob)
		if err != nil {
			return
		}
		if !strings.ContainsAny(glob, `*?[\`) && strings.TrimSpace(glob) == glob && !strings.Contains(glob, "//") &&
			!strings.Contains(glob, "/./") && !strings.HasPrefix(glob, "./") && !strings.HasSuffix(glob, "/") &&
			!strings.Contains(glob, "/../") && !strings.HasSuffix(glob, "/.") && !strings.HasSuffix(glob, "/..") {
			if !p.matches(glob) {
				t.Fatalf("%q does not match itself", glob)
			}
		}
	})
}

func TestSelectAndCopy(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for rel, content := range map[string]string{
		".gitignore":         "*.o\n",
		"src/main.c":         "int main;",
		"build/app":          "binary",
		"build/app.o":        "object",
		"build/docs/a.html":  "doc",
		"reports/junit.xml":  "<xml/>",
		"scratch.tmp":        "untracked",
		".jobrun/logs/x.log": "never",
	} {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", ".gitignore", "src"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	tests := []struct {
		name string
		a    job.Artifact
		want []string
	}{
		{"paths and exclude", job.Artifact{Paths: []string{"build/", "reports/*.xml"}, Exclude: []string{"**/*.o", "build/docs"}},
			[]string{"build/app", "reports/junit.xml"}},
		{"untracked includes ignored files", job.Artifact{Untracked: true, Exclude: []string{"build/docs/**"}},
			[]string{"build/app", "build/app.o", "reports/junit.xml", "scratch.tmp"}},
		{"nothing matches", job.Artifact{Paths: []string{"missing/"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Select(context.Background(), dir, tt.a)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			store := t.TempDir()
			if err := Copy(dir, store, got); err != nil {
				t.Fatal(err)
			}
			listed, err := List(store)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, listed); diff != "" {
				t.Errorf("copied (-want +got):\n%s", diff)
			}
		})
	}
}
