package mask

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// assertGolden compares got with testdata/<name>.golden, or rewrites the
// file when the test runs with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", strings.ReplaceAll(name, "/", "_")+".golden"), got)
}
