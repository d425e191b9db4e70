package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// newTree returns a root with a global --no-color and a subcommand "exec"
// with a string, an int and a slice flag, as the real commands have.
func newTree() (root, sub *cobra.Command) {
	root = &cobra.Command{Use: "jobrun"}
	root.PersistentFlags().Bool("no-color", false, "")
	root.PersistentFlags().String("config", "", "")
	sub = &cobra.Command{Use: "exec", Run: func(*cobra.Command, []string) {}}
	sub.Flags().String("executor", "auto", "")
	sub.Flags().Int("concurrency", 2, "")
	sub.Flags().StringArray("var", nil, "")
	root.AddCommand(sub)
	return root, sub
}

func writeFile(t *testing.T, dir, body string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, FileName)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedence(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	project := filepath.Join(tmp, "project")
	user := filepath.Join(tmp, "user")
	writeFile(t, filepath.Join(user, "jobrun"), "no-color: true\nexec:\n  executor: docker\n  concurrency: 7\n  var: [A=user]\n")
	writeFile(t, project, "exec:\n  concurrency: 5\n")

	tests := []struct {
		name            string
		args            []string
		env             map[string]string
		wantExecutor    string
		wantConcurrency string
		wantVar         string
		wantNoColor     string
	}{
		{"files: project over user", []string{"exec"}, nil, "docker", "5", "[A=user]", "true"},
		{"environment over files", []string{"exec"}, map[string]string{"JOBRUN_EXEC_CONCURRENCY": "9", "JOBRUN_EXEC_VAR": "A=1,B=2", "JOBRUN_NO_COLOR": "false"}, "docker", "9", "[A=1,B=2]", "false"},
		{"flag over environment", []string{"exec", "--concurrency", "1", "--executor", "shell"}, map[string]string{"JOBRUN_EXEC_CONCURRENCY": "9"}, "shell", "1", "[A=user]", "true"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root, sub := newTree()
			if err := root.ParseFlags(nil); err != nil {
				t.Fatal(err)
			}
			if err := sub.ParseFlags(tc.args[1:]); err != nil {
				t.Fatal(err)
			}
			cfg, err := Load(Sources{ProjectDir: project, UserDir: user, LookupEnv: func(k string) (string, bool) {
				v, ok := tc.env[k]
				return v, ok
			}})
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.Apply(sub); err != nil {
				t.Fatal(err)
			}
			got := func(name string) string { return sub.Flags().Lookup(name).Value.String() }
			if got("executor") != tc.wantExecutor || got("concurrency") != tc.wantConcurrency || got("var") != tc.wantVar || got("no-color") != tc.wantNoColor {
				t.Errorf("executor=%s concurrency=%s var=%s no-color=%s; want %s %s %s %s",
					got("executor"), got("concurrency"), got("var"), got("no-color"),
					tc.wantExecutor, tc.wantConcurrency, tc.wantVar, tc.wantNoColor)
			}
		})
	}
}

func TestExplicitFileOnly(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	explicit := writeFile(t, filepath.Join(tmp, "x"), "exec:\n  executor: shell\n")
	writeFile(t, tmp, "exec:\n  executor: docker\n  concurrency: 3\n")
	_, sub := newTree()
	cfg, err := Load(Sources{ExplicitFile: explicit, ProjectDir: tmp, UserDir: tmp, LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	if err := cfg.Apply(sub); err != nil {
		t.Fatal(err)
	}
	if e, c := sub.Flags().Lookup("executor").Value.String(), sub.Flags().Lookup("concurrency").Value.String(); e != "shell" || c != "2" {
		t.Errorf("executor=%s concurrency=%s, want shell 2 (project file must not be read)", e, c)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	none := func(string) (string, bool) { return "", false }
	if _, err := Load(Sources{ExplicitFile: filepath.Join(tmp, "missing.yaml"), LookupEnv: none}); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing --config file: err = %v", err)
	}
	bad := writeFile(t, filepath.Join(tmp, "bad"), "exec: [unclosed\n")
	if _, err := Load(Sources{ExplicitFile: bad, LookupEnv: none}); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("malformed file: err = %v", err)
	}
	typed := writeFile(t, filepath.Join(tmp, "typed"), "exec:\n  concurrency: many\n")
	cfg, err := Load(Sources{ExplicitFile: typed, LookupEnv: none})
	if err != nil {
		t.Fatal(err)
	}
	_, sub := newTree()
	if err := cfg.Apply(sub); err == nil || !strings.Contains(err.Error(), `"exec.concurrency"`) {
		t.Errorf("wrong type: err = %v", err)
	}
}
