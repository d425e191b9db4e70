package archive

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"bin", "bin", true},
		{"bin", "bin/x", false},
		{"*.txt", "a.txt", true},
		{"*.txt", "d/a.txt", false},
		{"**/*.txt", "a.txt", true},
		{"**/*.txt", "d/e/a.txt", true},
		{"d/**", "d/e/f", true},
		{"d/**", "d", true},
		{"d/**/f", "d/f", true},
		{"d/**/f", "d/x/y/f", true},
		{"d/**/f", "d/x/y/g", false},
		{"**", "anything/at/all", true},
		{"a?c", "abc", true},
		{"[ab]x", "bx", true},
		{"[ab]x", "cx", false},
		{"**/**/z", "z", true},
	}
	for _, tt := range tests {
		got, err := Match(tt.pattern, tt.name)
		if err != nil || got != tt.want {
			t.Errorf("Match(%q, %q) = %v, %v; want %v", tt.pattern, tt.name, got, err, tt.want)
		}
	}
	if _, err := Match("[", "x"); err == nil {
		t.Error("Match of a malformed pattern gave no error")
	}
}

// tree creates files (content = name) and directories (trailing /) and
// symbolic links ("name -> target") under a new directory.
func tree(t *testing.T, entries ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, e := range entries {
		full := filepath.Join(root, e)
		switch {
		case strings.Contains(e, " -> "):
			name, target, _ := strings.Cut(e, " -> ")
			full = filepath.Join(root, name)
			must(t, os.MkdirAll(filepath.Dir(full), 0o755))
			must(t, os.Symlink(target, full))
		case strings.HasSuffix(e, "/"):
			must(t, os.MkdirAll(full, 0o755))
		default:
			must(t, os.MkdirAll(filepath.Dir(full), 0o755))
			must(t, os.WriteFile(full, []byte(e), 0o644))
		}
	}
	return root
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestSelect(t *testing.T) {
	t.Parallel()
	root := tree(t, "bin/app", "bin/app.o", "bin/sub/x.o", "bin/sub/keep", "src/main.go", "src/main_test.go",
		"docs/a.md", "docs/b/c.md", "empty/", "link -> /etc/passwd", "report.env")
	tests := []struct {
		name          string
		paths, ex     []string
		want, warning []string
	}{
		{name: "directory with exclude", paths: []string{"bin/"}, ex: []string{"bin/**/*.o", "bin/*.o"},
			want: []string{"bin", "bin/app", "bin/sub", "bin/sub/keep"}},
		{name: "doublestar", paths: []string{"**/*.md"}, want: []string{"docs/a.md", "docs/b/c.md"}},
		{name: "excluded directory", paths: []string{"docs"}, ex: []string{"docs/b"}, want: []string{"docs", "docs/a.md"}},
		{name: "a link is selected, not followed", paths: []string{"link", "report.env"}, want: []string{"link", "report.env"}},
		{name: "empty directory", paths: []string{"./empty/"}, want: []string{"empty"}},
		{name: "outside the project", paths: []string{"../x", "/etc", "src/*_test.go"}, want: []string{"src/main_test.go"},
			warning: []string{"../x: not a path inside the project directory, skipped", "/etc: not a path inside the project directory, skipped"}},
	}
	for _, tt := range tests {
		got, warnings, err := Select(t.Context(), Spec{Root: root, Paths: tt.paths, Exclude: tt.ex})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: selected (-want +got):\n%s", tt.name, diff)
		}
		if diff := cmp.Diff(tt.warning, warnings); diff != "" {
			t.Errorf("%s: warnings (-want +got):\n%s", tt.name, diff)
		}
	}
}

// A zip built from a selection extracts to the same files, modes and links.
func TestZipRoundTrip(t *testing.T) {
	t.Parallel()
	root := tree(t, "bin/app", "bin/lib/a.so", "bin/current -> lib/a.so", "bin/empty/")
	must(t, os.Chmod(filepath.Join(root, "bin/app"), 0o755))
	entries, _, err := Select(t.Context(), Spec{Root: root, Paths: []string{"bin"}})
	must(t, err)
	var buf bytes.Buffer
	n, err := WriteZip(&buf, root, entries)
	must(t, err)
	if n != 6 {
		t.Errorf("%d entries, want 6: %v", n, entries)
	}
	out := t.TempDir()
	must(t, Extract(bytes.NewReader(buf.Bytes()), int64(buf.Len()), out, 1<<20))
	for _, f := range []string{"bin/app", "bin/lib/a.so"} {
		data, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || string(data) != f {
			t.Errorf("%s: %q, %v", f, data, err)
		}
	}
	if info, err := os.Stat(filepath.Join(out, "bin/app")); err != nil || info.Mode().Perm() != 0o755 {
		t.Errorf("bin/app mode: %v %v", info, err)
	}
	if target, err := os.Readlink(filepath.Join(out, "bin/current")); err != nil || target != "lib/a.so" {
		t.Errorf("link: %q %v", target, err)
	}
	if info, err := os.Stat(filepath.Join(out, "bin/empty")); err != nil || !info.IsDir() {
		t.Errorf("empty dir: %v %v", info, err)
	}
}

type zipEntry struct {
	name, body string
	mode       fs.FileMode
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Store}
		h.SetMode(e.mode | 0o644)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Hostile archives fail with a clear message and write nothing outside.
func TestExtractRefusesEscapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []zipEntry
		limit   int64
		wantErr string
	}{
		{"dot-dot", []zipEntry{{name: "../evil", body: "x"}}, 0, `"../evil": not a relative path`},
		{"nested dot-dot", []zipEntry{{name: "a/../../evil", body: "x"}}, 0, `not a relative path`},
		{"absolute", []zipEntry{{name: "/tmp/evil", body: "x"}}, 0, `"/tmp/evil": not a relative path`},
		{"backslash", []zipEntry{{name: `..\evil`, body: "x"}}, 0, `not a relative path`},
		{"absolute link", []zipEntry{{name: "l", body: "/etc", mode: fs.ModeSymlink}}, 0, `symbolic link to "/etc" leaves`},
		{"climbing link", []zipEntry{{name: "d/l", body: "../../x", mode: fs.ModeSymlink}}, 0, `symbolic link to "../../x" leaves`},
		{"too large", []zipEntry{{name: "big", body: strings.Repeat("x", 100)}}, 50, "larger than the extraction limit"},
	}
	for _, tt := range tests {
		parent := t.TempDir()
		dir := filepath.Join(parent, "project")
		must(t, os.Mkdir(dir, 0o755))
		data := makeZip(t, tt.entries...)
		err := Extract(bytes.NewReader(data), int64(len(data)), dir, tt.limit)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.wantErr)
		}
		if names := listDir(t, parent); !cmp.Equal(names, []string{"project"}) {
			t.Errorf("%s: wrote outside the project: %v", tt.name, names)
		}
	}
}

func listDir(t testing.TB, dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// An archive cannot plant a link and then write through it.
func TestExtractDoesNotWriteThroughLinks(t *testing.T) {
	t.Parallel()
	parent := t.TempDir()
	dir := filepath.Join(parent, "project")
	must(t, os.Mkdir(dir, 0o755))
	must(t, os.Symlink(parent, filepath.Join(dir, "up"))) // planted before, e.g. by the repository
	data := makeZip(t, zipEntry{name: "up/evil", body: "x"})
	err := Extract(bytes.NewReader(data), int64(len(data)), dir, 0)
	if err == nil {
		t.Error("extracting through a link that leaves the directory succeeded")
	}
	if _, serr := os.Stat(filepath.Join(parent, "evil")); serr == nil {
		t.Error("a file was written outside the project through a link")
	}
}

func TestWriteGzip(t *testing.T) {
	t.Parallel()
	root := tree(t, "build.env")
	var buf bytes.Buffer
	must(t, WriteGzip(&buf, root, []string{"build.env"}))
	if buf.Len() < 18 || buf.Bytes()[0] != 0x1f || buf.Bytes()[1] != 0x8b {
		t.Errorf("not a gzip stream: % x", buf.Bytes()[:min(4, buf.Len())])
	}
}

// untracked: true adds every file git does not track, ignored ones too.
func TestSelectUntracked(t *testing.T) {
	t.Parallel()
	root := tree(t, "tracked.txt", "new.txt", "build/out.bin", ".gitignore")
	must(t, os.WriteFile(filepath.Join(root, ".gitignore"), []byte("build/\n"), 0o644))
	for _, args := range [][]string{{"init", "-q"}, {"add", "tracked.txt", ".gitignore"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	got, _, err := Select(t.Context(), Spec{Root: root, Untracked: true, Exclude: []string{".git"}})
	must(t, err)
	if diff := cmp.Diff([]string{"build/out.bin", "new.txt"}, got); diff != "" {
		t.Errorf("untracked (-want +got):\n%s", diff)
	}
}

// A job reading a file while the same artifacts are restored again next
// to it (concurrent jobs of a local pipeline share one directory) always
// finds the whole file: restoring never removes it first.
func TestExtractReplacesFilesAtomically(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	content := bytes.Repeat([]byte("artifact "), 4096)
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, err := zw.Create("out/app")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(content); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	data := zbuf.Bytes()
	if err := Extract(bytes.NewReader(data), int64(len(data)), dir, 0); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			if err := Extract(bytes.NewReader(data), int64(len(data)), dir, 0); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	reads := 0
	for running := true; running; reads++ {
		select {
		case <-done:
			running = false
		default:
		}
		got, err := os.ReadFile(filepath.Join(dir, "out", "app"))
		if err != nil || !bytes.Equal(got, content) {
			<-done // the restores finish before the test reports
			t.Fatalf("read %d during a restore: %d bytes, %v", reads, len(got), err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "out"))
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
