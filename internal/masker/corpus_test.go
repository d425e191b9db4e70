package masker

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// sharedCorpus returns <repo root>/../shared/corpus/<sub>.
func sharedCorpus(t *testing.T, sub string) string {
	t.Helper()
	return testutil.Corpus(t, sub)
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
