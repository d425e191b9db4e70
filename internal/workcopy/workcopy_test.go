package workcopy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// gitRepo makes a real git repository with a committed file, a
// committed-then-changed file, an untracked file, an ignored file and
// jobrun's own state directory.
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, ".gitignore", "*.log\n")
	write(t, dir, "src/main.go", "package main\n")
	write(t, dir, "README.md", "committed\n")
	git(t, dir, "init", "-q")
	git(t, dir, "add", ".")
	git(t, dir, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init")
	write(t, dir, "README.md", "changed, not committed\n")
	write(t, dir, "new.txt", "untracked\n")
	write(t, dir, "debug.log", "ignored\n")
	write(t, dir, ".jobrun/logs/1/a.log", "jobrun's own\n")
	if err := os.Symlink("README.md", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, "src/main.go"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func write(t *testing.T, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// tree lists dst as "path: content" (links as "path -> target").
func tree(t *testing.T, dst string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dst, p)
		if target, err := os.Readlink(p); err == nil {
			out = append(out, rel+" -> "+target)
			return nil
		}
		b, err := os.ReadFile(p)
		out = append(out, rel+": "+strings.TrimSpace(string(b)))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestSync(t *testing.T) {
	t.Parallel()
	src := gitRepo(t)
	dst := filepath.Join(src, ".jobrun", "builds", "default")
	ctx := context.Background()

	st, err := Sync(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		".gitignore: *.log",
		"README.md: changed, not committed",
		"link -> README.md",
		"new.txt: untracked",
		"src/main.go: package main",
	}
	if diff := cmp.Diff(want, tree(t, dst)); diff != "" {
		t.Errorf("first sync (-want +got):\n%s", diff)
	}
	if st != (Stats{Files: 5, Copied: 5}) {
		t.Errorf("first sync stats %+v", st)
	}
	if fi, _ := os.Stat(filepath.Join(dst, "src/main.go")); fi.Mode().Perm() != 0o755 {
		t.Errorf("executable bit lost: %v", fi.Mode())
	}

	// Nothing changed: nothing copied.
	if st, err = Sync(ctx, src, dst); err != nil || st != (Stats{Files: 5}) {
		t.Errorf("second sync: %+v, %v", st, err)
	}

	// One change, one deletion, and junk a job left in the copy.
	write(t, src, "new.txt", "edited!\n")
	future := time.Now().Add(time.Hour)
	_ = os.Chtimes(filepath.Join(src, "new.txt"), future, future)
	if err := os.Remove(filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}
	// Deleted in the work tree, still in git's index.
	if err := os.Remove(filepath.Join(src, "README.md")); err != nil {
		t.Fatal(err)
	}
	write(t, dst, "out/build.bin", "left by a job")
	st, err = Sync(ctx, src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if st != (Stats{Files: 3, Copied: 1, Removed: 3}) {
		t.Errorf("third sync stats %+v", st)
	}
	want = []string{".gitignore: *.log", "new.txt: edited!", "src/main.go: package main"}
	if diff := cmp.Diff(want, tree(t, dst)); diff != "" {
		t.Errorf("third sync (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(dst, "out")); !os.IsNotExist(err) {
		t.Errorf("empty directory left behind: %v", err)
	}

	// A file that becomes a directory.
	if err := os.Remove(filepath.Join(src, "new.txt")); err != nil {
		t.Fatal(err)
	}
	write(t, src, "new.txt/inside", "now a directory")
	if _, err := Sync(ctx, src, dst); err != nil {
		t.Fatal(err)
	}
	want = []string{".gitignore: *.log", "new.txt/inside: now a directory", "src/main.go: package main"}
	if diff := cmp.Diff(want, tree(t, dst)); diff != "" {
		t.Errorf("fourth sync (-want +got):\n%s", diff)
	}
}

func TestSyncNotARepository(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	_, err := Sync(context.Background(), src, filepath.Join(t.TempDir(), "copy"))
	if err == nil || !strings.Contains(err.Error(), "listing the project's files in "+src+": fatal: not a git repository") {
		t.Errorf("err = %v", err)
	}
}
