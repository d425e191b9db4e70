package runner

import (
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"

	"github.com/jobrun/jobrun/internal/masker"
)

// checkGolden compares got with testdata/<name>.golden, or rewrites the
// file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", strings.NewReplacer("/", "_", " ", "_").Replace(name)+".golden"), got)
}

// newTestMasker is the masker the runner tests use: the real one.
func newTestMasker(dst io.Writer, prefixes []string) Masker {
	return masker.New(dst, masker.Options{Prefixes: prefixes})
}
