package runner

import (
	"archive/zip"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestUnpackedArtifacts: the newest archive of a job across pipelines is
// the one unpacked; a job without one gets ErrNoArtifactZip.
func TestUnpackedArtifacts(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	old := time.Now().Add(-time.Hour)
	writeArtifactZip(t, root, "1", "build", "old", old)
	writeArtifactZip(t, root, "2", "build", "new", time.Now())
	writeArtifactZip(t, root, "2", "other", "x", time.Now())
	u := &UnpackedArtifacts{}
	for range 2 { // the second call reuses the unpacked directory
		dir, err := u.Dir(root, "build")
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(dir, "out.txt"))
		if err != nil || string(got) != "new" {
			t.Errorf("out.txt = %q, %v; want the newest pipeline's", got, err)
		}
	}
	if _, err := u.Dir(root, "missing"); !errors.Is(err, ErrNoArtifactZip) {
		t.Errorf("missing job: err = %v, want ErrNoArtifactZip", err)
	}
}

func writeArtifactZip(t *testing.T, root, pipeline, job, content string, mtime time.Time) {
	t.Helper()
	path := filepath.Join(root, ".jobrun", "artifacts", pipeline, job+".zip")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	w, err := zw.Create("out.txt")
	if err == nil {
		_, err = w.Write([]byte(content))
	}
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
