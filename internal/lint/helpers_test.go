package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// assertGolden compares got with testdata/<name>.golden, or writes it
// with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name+".golden"), got)
}

// corpusDir is ../shared/corpus/<sub> beside the repository.
func corpusDir(t testing.TB, sub string) string {
	t.Helper()
	return testutil.Corpus(t, sub)
}

// lintFixture lints one file from testdata and fails the test on error.
func lintFixture(t testing.TB, path string, opts Options) *Report {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := LintData(filepath.ToSlash(path), data, opts)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// findingLines renders findings one per line for golden files.
func findingLines(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.Pos.String() + " " + f.Code + " " + f.Slug + " " + f.Severity.String() + "/" + f.Confidence.String() +
			" runner=" + runnerLabel(f) + " key=" + f.Key)
		if f.Suppressed {
			b.WriteString(" suppressed(" + f.SuppressedBy + ")")
		}
		b.WriteString("\n")
	}
	return b.String()
}
