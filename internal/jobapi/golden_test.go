package jobapi

import (
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// assertGolden compares got with testdata/<test name>.golden, or rewrites
// the file with -update.
func assertGolden(t *testing.T, got string) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", filepath.FromSlash(t.Name())+".golden"), []byte(got))
}
