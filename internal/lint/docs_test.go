package lint

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsShowCurrentOutput keeps docs/lint-config.md honest: the output
// it shows for the two example configs is what jobrun prints today.
func TestDocsShowCurrentOutput(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "lint-config.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"configs/hardened.config.toml", "configs/insecure.config.toml"} {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		r, err := LintData(name, data, Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := string(render(t, r, FormatText))
		if !strings.Contains(string(doc), out) {
			t.Errorf("docs/lint-config.md does not show the current output of jobrun lint-config %s:\n%s", name, out)
		}
	}
}
