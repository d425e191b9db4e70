package masker

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// sharedCorpus returns <repo root>/../shared/corpus/<sub>. When it is
// missing the test skips, except under CI=true, where it fails: CI must
// not pass by testing nothing.
func sharedCorpus(t *testing.T, sub string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	path := filepath.Join(dir, "..", "shared", "corpus", sub)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s is missing: %v", path, err)
		}
		t.Skipf("corpus %s is missing", path)
	}
	return path
}

// Real pipelines, with secrets planted in them, masked in uneven writes,
// give the reference masker's output.
func TestMaskRealFiles(t *testing.T) {
	t.Parallel()
	root := sharedCorpus(t, "gitlab-ci")
	secrets := []string{"Zm9vYmFyLXNlY3JldA-1", "$ecret with spaces & quotes\"", "script:"}
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		in := plant(data, []byte{0, 40, 1, 120, 2, 200, 3, 250}, [][]byte{[]byte(secrets[0]), []byte(secrets[1]), []byte(secrets[2]), []byte("glpat-" + secrets[0])})
		m := New(nil, Options{})
		for _, s := range secrets {
			m.AddMasked("S", s)
		}
		want := referenceMask(in, m.needles, m.trig.list)
		got := maskWith(t, Options{}, secrets, in, writeSizes([]byte{7, 13, 1, 200, 64}, len(in)))
		if !bytes.Equal(got, want) {
			rel, _ := filepath.Rel(root, path)
			t.Errorf("%s: streaming output differs from the reference at byte %d", rel, firstDiff(string(got), string(want)))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("no files in the corpus")
	}
}
