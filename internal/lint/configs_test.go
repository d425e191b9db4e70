package lint

import (
	"path/filepath"
	"testing"
)

// TestExampleConfigs: configs/hardened.config.toml lints clean, and
// configs/insecure.config.toml raises every rule that can be high, at high.
func TestExampleConfigs(t *testing.T) {
	t.Parallel()
	configs := filepath.Join("..", "..", "configs")
	hardened := lintFixture(t, filepath.Join(configs, "hardened.config.toml"), Options{})
	if fs := hardened.Files[0].Findings; len(fs) != 0 {
		t.Errorf("hardened config has findings:\n%s", findingLines(fs))
	}
	insecure := lintFixture(t, filepath.Join(configs, "insecure.config.toml"), Options{})
	high := map[string]bool{}
	for _, f := range insecure.Files[0].Findings {
		if f.Severity == High {
			high[f.Code] = true
		}
	}
	for _, m := range Rules() {
		if m.Severity == High && !high[m.Code] {
			t.Errorf("insecure config does not raise %s %s at high", m.Code, m.Slug)
		}
	}
}
