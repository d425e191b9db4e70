package exec

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// checkGolden compares got with testdata/<test name>.golden, or rewrites
// the file with -update.
func checkGolden(t *testing.T, got string) {
	t.Helper()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	testutil.Golden(t, filepath.Join("testdata", name+".golden"), []byte(got))
}
