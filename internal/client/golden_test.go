package client_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// golden compares got with testdata/<name>.golden, rewriting it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name+".golden"), got)
}

// readGolden returns testdata/<name>.golden.
func readGolden(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".golden"))
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	return data
}
