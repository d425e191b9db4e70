package pipeline

import (
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// goldenPath is testdata/<TestName>/<name>.golden.
func goldenPath(t *testing.T, name string) string {
	return filepath.Join("testdata", filepath.FromSlash(t.Name()), name+".golden")
}

// assertGolden compares got with testdata/<TestName>/<name>.golden, or
// rewrites it with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, goldenPath(t, name), got)
}

// sharedCorpus returns ../shared/corpus/<sub> beside the repository.
func sharedCorpus(t testing.TB, sub string) string {
	t.Helper()
	return testutil.Corpus(t, sub)
}
