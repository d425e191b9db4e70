package lint

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// assertGolden compares got with testdata/<name>.golden, or writes it
// with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
	}
}

// corpusDir is ../shared/corpus/<sub> seen from the repository root. A
// missing corpus skips the test, except under CI=true, where it fails:
// CI must never pass by skipping.
func corpusDir(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", sub)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("corpus %s is missing and CI=true: %v", dir, err)
		}
		t.Skipf("corpus %s is missing: %v", dir, err)
	}
	return dir
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
