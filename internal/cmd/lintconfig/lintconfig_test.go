package lintconfig

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
)

func testFactory(env map[string]string) (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &cmdutil.Factory{
		IOStreams: ios,
		Version:   "test",
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	}, out, errOut
}

func TestNewCmdLintConfigFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want Options
	}{
		{nil, Options{Format: "text", FailOn: "low"}},
		{[]string{"a.toml", "b.toml", "--format", "sarif", "--fail-on", "high"},
			Options{Paths: []string{"a.toml", "b.toml"}, Format: "sarif", FailOn: "high"}},
		{[]string{"--no-ignores", "--ignore", "JR030:r1", "--ignore", "shell-executor:r2"},
			Options{Format: "text", FailOn: "low", NoIgnores: true, Ignores: []string{"JR030:r1", "shell-executor:r2"}}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory(nil)
			var got *Options
			cmd := NewCmdLintConfig(f, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			ignore := cmpopts.IgnoreFields(Options{}, "Factory", "IsRoot")
			if diff := cmp.Diff(tc.want, *got, ignore, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

const insecure = `concurrent = 1
[[runners]]
  name = "r1"
  url = "https://gitlab.example.com"
  token = "${T}"
  executor = "docker"
  [runners.docker]
    privileged = true
`

// medium only: if-not-present on an otherwise tight runner.
const mediumOnly = `concurrent = 1
[[runners]]
  name = "r1"
  url = "https://gitlab.example.com"
  token = "${T}"
  executor = "docker"
  [runners.docker]
    allowed_images = ["r/*"]
    allowed_services = ["r/*"]
    pull_policy = "if-not-present"
`

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := writeFile(t, dir, "bad.toml", "[[runners]]\n  privileged = \n")
	ins := writeFile(t, dir, "insecure.toml", insecure)
	med := writeFile(t, dir, "medium.toml", mediumOnly)
	other := writeFile(t, dir, "other.toml", "[package]\nname = \"x\"\n")
	home := filepath.Join(dir, "home")
	writeFile(t, home, ".gitlab-runner/config.toml", insecure)
	tests := []struct {
		name       string
		opts       Options
		wantCode   int
		wantOut    string
		wantErrMsg string
	}{
		{"findings exit 1", Options{Paths: []string{ins}, Format: "text", FailOn: "low"}, 1, "high JR030 docker-privileged", ""},
		{"below --fail-on exit 0", Options{Paths: []string{med}, Format: "text", FailOn: "high"}, 0, "medium JR040", ""},
		{"at --fail-on exit 1", Options{Paths: []string{med}, Format: "text", FailOn: "medium"}, 1, "medium JR040", ""},
		{"suppressed by --ignore", Options{Paths: []string{med}, Format: "text", FailOn: "info", Ignores: []string{"JR040:r1"}}, 0, "(1 suppressed)", ""},
		{"json", Options{Paths: []string{ins}, Format: "json", FailOn: "low"}, 1, `"version": "jobrun.lint-config/v1"`, ""},
		{"default path from HOME", Options{Format: "text", FailOn: "low"}, 1, filepath.Join(home, ".gitlab-runner", "config.toml"), ""},
		{"not a runner config", Options{Paths: []string{other}, Format: "text", FailOn: "info"}, 0, "note: not a GitLab Runner config.toml", ""},
		{"malformed", Options{Paths: []string{ins, bad}, Format: "text", FailOn: "low"}, 2, "", bad + ":2:16: invalid TOML"},
		{"unreadable", Options{Paths: []string{filepath.Join(dir, "nope.toml")}, Format: "text", FailOn: "low"}, 2, "", "no such file or directory"},
		{"bad format", Options{Paths: []string{ins}, Format: "xml", FailOn: "low"}, 2, "", `--format "xml"`},
		{"bad fail-on", Options{Paths: []string{ins}, Format: "text", FailOn: "critical"}, 2, "", "--fail-on"},
		{"bad ignore", Options{Paths: []string{ins}, Format: "text", FailOn: "low", Ignores: []string{"JR030"}}, 2, "", "RULE:RUNNER"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, out, _ := testFactory(map[string]string{"HOME": home})
			tc.opts.Factory = f
			err := run(&tc.opts)
			if code := cmdutil.ExitCode(err); code != tc.wantCode {
				t.Fatalf("exit code %d, want %d (err %v)", code, tc.wantCode, err)
			}
			if tc.wantErrMsg != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErrMsg)) {
				t.Errorf("error %v, want it to contain %q", err, tc.wantErrMsg)
			}
			if tc.wantCode == 2 && out.Len() != 0 {
				t.Errorf("bad input must leave no partial report, got:\n%s", out)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Errorf("output does not contain %q:\n%s", tc.wantOut, out)
			}
			if tc.opts.Format == "json" && !json.Valid(out.Bytes()) {
				t.Errorf("invalid json:\n%s", out)
			}
		})
	}
}

// TestRunColour: colour only when stdout is a terminal and colour is not
// turned off; never in machine-readable formats.
func TestRunColour(t *testing.T) {
	t.Parallel()
	path := writeFile(t, t.TempDir(), "c.toml", insecure)
	tests := []struct {
		name      string
		tty       bool
		noColor   bool
		format    string
		wantColor bool
	}{
		{"terminal", true, false, "text", true},
		{"pipe", false, false, "text", false},
		{"terminal with --no-color", true, true, "text", false},
		{"terminal, json", true, false, "json", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, out, _ := testFactory(nil)
			f.IOStreams.SetStdoutTTY(tc.tty)
			f.IOStreams.SetNoColor(tc.noColor)
			_ = run(&Options{Factory: f, Paths: []string{path}, Format: tc.format, FailOn: "low"})
			if got := strings.Contains(out.String(), "\x1b["); got != tc.wantColor {
				t.Errorf("colour %v, want %v:\n%q", got, tc.wantColor, out.String()[:min(200, out.Len())])
			}
		})
	}
}
