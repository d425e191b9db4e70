package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// fakeT records what a helper did to its test instead of stopping it.
type fakeT struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (f *fakeT) Helper()                        {}
func (f *fakeT) Errorf(format string, a ...any) { f.failed = true }
func (f *fakeT) Fatalf(format string, a ...any) { f.failed = true; f.msg = format }
func (f *fakeT) Fatal(a ...any)                 { f.failed = true }
func (f *fakeT) Skip(a ...any)                  { f.skipped = true }

func TestGoldenComparesBytes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.golden")
	if err := os.WriteFile(path, []byte("a\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	same := &fakeT{TB: t}
	Golden(same, path, []byte("a\nb\n"))
	if same.failed {
		t.Error("identical bytes reported as different")
	}
	diff := &fakeT{TB: t}
	Golden(diff, path, []byte("a\nc\n"))
	if !diff.failed {
		t.Error("different bytes not reported")
	}
	missing := &fakeT{TB: t}
	Golden(missing, filepath.Join(t.TempDir(), "none.golden"), nil)
	if !missing.failed {
		t.Error("a missing golden file did not fail")
	}
}

func TestMissingFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	ft := &fakeT{TB: t}
	Missing(ft, "no %s", "engine")
	if !ft.failed || ft.skipped {
		t.Errorf("CI=true: failed=%v skipped=%v, want a failure", ft.failed, ft.skipped)
	}
	t.Setenv("CI", "")
	ft = &fakeT{TB: t}
	Missing(ft, "no %s", "engine")
	if ft.failed || !ft.skipped {
		t.Errorf("not CI: failed=%v skipped=%v, want a skip", ft.failed, ft.skipped)
	}
}
