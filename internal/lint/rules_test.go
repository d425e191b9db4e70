package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRules runs every rule on its positive and negative fixtures under
// testdata/rules/<code>/: a positive file must raise the rule, a negative
// one must not, and the findings (code, severity, line) are pinned in
// testdata/TestRules.golden.
func TestRules(t *testing.T) {
	t.Parallel()
	dirs, err := filepath.Glob("testdata/rules/JR*")
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != len(Rules()) {
		t.Errorf("%d fixture directories for %d rules", len(dirs), len(Rules()))
	}
	var golden strings.Builder
	for _, dir := range dirs {
		code := filepath.Base(dir)
		if _, ok := RuleByID(code); !ok {
			t.Errorf("%s: no rule %s", dir, code)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
		var positives, negatives int
		for _, path := range files {
			r := lintFixture(t, path, Options{})
			var own []Finding
			for _, f := range r.Files[0].Findings {
				if f.Code == code {
					own = append(own, f)
				}
			}
			positive := strings.HasPrefix(filepath.Base(path), "positive")
			switch {
			case positive && len(own) == 0:
				t.Errorf("%s: %s did not fire", path, code)
			case !positive && len(own) > 0:
				t.Errorf("%s: %s fired on a negative fixture:\n%s", path, code, findingLines(own))
			}
			if positive {
				positives++
			} else {
				negatives++
			}
			golden.WriteString("== " + filepath.ToSlash(path) + "\n" + findingLines(own))
		}
		if positives == 0 || negatives == 0 {
			t.Errorf("%s: needs positive and negative fixtures (have %d and %d)", dir, positives, negatives)
		}
	}
	assertGolden(t, t.Name(), []byte(golden.String()))
}

// TestRuleIdentities pins codes and slugs, which are stable identifiers.
func TestRuleIdentities(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	var b strings.Builder
	for _, m := range Rules() {
		if seen[m.Code] || seen[m.Slug] {
			t.Errorf("duplicate rule identifier %s %s", m.Code, m.Slug)
		}
		seen[m.Code], seen[m.Slug] = true, true
		if m.Title == "" || m.Help == "" || m.Fix == "" {
			t.Errorf("%s: title, help and fix are required", m.Code)
		}
		b.WriteString(m.Code + " " + m.Slug + " " + m.Severity.String() + "\n")
	}
	if len(Rules()) != 30 {
		t.Errorf("%d rules, want the 30 core rules", len(Rules()))
	}
	assertGolden(t, t.Name(), []byte(b.String()))
	if _, err := os.Stat("testdata/rules"); err != nil {
		t.Fatal(err)
	}
}
