package workcopy

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchRepo is a git repository of n small committed files in 20
// directories.
func benchRepo(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("pkg%02d", i%20), fmt.Sprintf("file%04d.go", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(fmt.Sprintf("package pkg\n\n// file %d\nvar X%d = %d\n", i, i, i)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=b", "-c", "user.email=b@example.com", "commit", "-qm", "x"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	return dir
}

// BenchmarkSync compares the first sync of a 2,000-file repository (every
// file copied) with a second one when nothing changed (the peer: what
// every later pipeline run pays).
func BenchmarkSync(b *testing.B) {
	src := benchRepo(b, 2000)
	b.Run("first", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			if _, err := Sync(context.Background(), src, filepath.Join(b.TempDir(), "copy")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		dst := filepath.Join(b.TempDir(), "copy")
		if _, err := Sync(context.Background(), src, dst); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			st, err := Sync(context.Background(), src, dst)
			if err != nil || st.Copied != 0 {
				b.Fatalf("%+v %v", st, err)
			}
		}
	})
}
