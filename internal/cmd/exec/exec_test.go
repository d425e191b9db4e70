package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
)

func TestNewCmdExecFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want Options
	}{
		{"defaults", nil, Options{File: ".gitlab-ci.yml", Dir: ".", Executor: "auto"}},
		{"everything", []string{"-f", "ci.yml", "-C", "proj", "--executor", "docker", "--var", "A=1", "--var", "B=2",
			"--secret", "TOKEN", "--secret", "K=v", "--variables-file", "vars.yml", "--list", "--json", "--needs",
			"--timestamps", "--offline", "--tag", "v1.0.0", "--concurrency", "3", "--tty", "--in-place", "--privileged",
			"--volume", "/cache", "--volume", "/a:/b:ro", "--network", "host", "--docker-host", "unix:///tmp/d.sock",
			"--pull-policy", "never", "build", "test"},
			Options{File: "ci.yml", Dir: "proj", Executor: "docker", Vars: []string{"A=1", "B=2"}, Secrets: []string{"TOKEN", "K=v"}, SecretValuesInArgs: true,
				VariablesFile: "vars.yml", List: true, JSON: true, Needs: true, Timestamps: true, Offline: true, Tag: "v1.0.0",
				Concurrency: 3, TTY: true, InPlace: true, Privileged: true, Volumes: []string{"/cache", "/a:/b:ro"}, Network: "host",
				DockerHost: "unix:///tmp/d.sock", PullPolicy: "never", Jobs: []string{"build", "test"}}},
		{"preview", []string{"--preview", "--directory", "d", "--file", "x.yml"}, Options{File: "x.yml", Dir: "d", Executor: "auto", Preview: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, LookupEnv: func(string) (string, bool) { return "", false }}
			var got *Options
			cmd := NewCmdExec(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(Options{}, "IO", "LookupEnv"), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

const pipelineYAML = `stages: [build, test]
build:
  stage: build
  script: [make]
test:
  stage: test
  needs: [build]
  script: [make test]
  variables: {TOKEN_COPY: $API_TOKEN}
manual:
  stage: test
  when: manual
  script: [deploy]
`

func projectDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), []byte(pipelineYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runWith(t *testing.T, mod func(*Options)) (string, string, error) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts := &Options{IO: ios, File: ".gitlab-ci.yml", Dir: projectDir(t), Executor: "auto", CacheDir: t.TempDir(),
		LookupEnv: func(k string) (string, bool) {
			if k == "API_TOKEN" {
				return "glpat-env-secret-value-123", true
			}
			return "", false
		}}
	mod(opts)
	err := run(context.Background(), opts)
	return out.String(), errOut.String(), err
}

func TestRunList(t *testing.T) {
	t.Parallel()
	out, _, err := runWith(t, func(o *Options) { o.List = true })
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"STAGE  NAME    WHEN        ALLOW FAILURE  NEEDS",
		"build  build   on_success  false          -",
		"test   test    on_success  false          build",
		"test   manual  manual      true           -",
	}
	if diff := cmp.Diff(want, strings.Split(strings.TrimSpace(out), "\n")); diff != "" {
		t.Errorf("--list (-want +got):\n%s", diff)
	}
}

func TestRunListJSONHidesSecrets(t *testing.T) {
	t.Parallel()
	out, _, err := runWith(t, func(o *Options) {
		o.List, o.JSON = true, true
		o.Secrets = []string{"API_TOKEN", "INLINE=inline-secret-value"}
		o.Jobs, o.Needs = []string{"test"}, true
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"glpat-env-secret-value-123", "inline-secret-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("--list --json printed a secret")
		}
	}
	for _, want := range []string{`"name": "build"`, `"name": "test"`, `"key": "API_TOKEN"`, `"value": "[MASKED]"`, `"key": "TOKEN_COPY"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s", want)
		}
	}
	if strings.Contains(out, `"name": "manual"`) {
		t.Errorf("--needs selected a job that is not needed")
	}
}

func TestRunErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"not a git work tree", func(o *Options) {}, "outside a git repository use --in-place"},
		{"short secret", func(o *Options) { o.Secrets = []string{"PIN=1234"} }, "masked variable PIN is 4 characters long; masked values need at least 8"},
		{"negative concurrency", func(o *Options) { o.Concurrency = -1 }, "--concurrency -1"},
		{"bad pull policy", func(o *Options) { o.PullPolicy = "sometimes"; o.InPlace = true }, "sometimes"},
		{"docker job without image", func(o *Options) { o.Executor = "docker"; o.InPlace = true }, `job "build" has no image`},
		{"json without list", func(o *Options) { o.JSON = true }, "--json needs --list"},
		{"list and preview", func(o *Options) { o.List, o.Preview = true, true }, "cannot be combined"},
		{"bad executor", func(o *Options) { o.Executor = "podman"; o.List = true }, `--executor "podman"`},
		{"unknown job", func(o *Options) { o.List = true; o.Jobs = []string{"nope"} }, `no job "nope"`},
		{"missing file", func(o *Options) { o.List = true; o.File = "missing.yml" }, "missing.yml: cannot read the pipeline file"},
		{"secret not in env", func(o *Options) { o.List = true; o.Secrets = []string{"NOT_SET"} }, "NOT_SET is not set"},
		{"bad variables file", func(o *Options) { o.List = true; o.VariablesFile = "/nonexistent/vars.yml" }, "cannot read the variables file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := runWith(t, tc.mod)
			var ee *cmdutil.ExitError
			if !errors.As(err, &ee) || ee.Code != cmdutil.ExitBadInput {
				t.Fatalf("error = %v, want exit code 2", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q, want %q", err, tc.want)
			}
			if out != "" {
				t.Errorf("stdout is not empty on error: %q", out)
			}
		})
	}
}

func TestRunPreviewAndVariablesFile(t *testing.T) {
	t.Parallel()
	ios, _, out, _ := iostreams.Test()
	dir := projectDir(t)
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci-local-variables.yml"), []byte("FROM_LOCAL: {value: local-secret-xyz, masked: true}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	opts := &Options{IO: ios, File: ".gitlab-ci.yml", Dir: dir, Executor: "auto", List: true, JSON: true, LookupEnv: func(string) (string, bool) { return "", false }}
	if err := run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"key": "FROM_LOCAL"`) || strings.Contains(out.String(), "local-secret-xyz") {
		t.Errorf("the project's variables file is not read, or its secret is printed")
	}
	out.Reset()
	opts.List, opts.JSON, opts.Preview = false, false, true
	if err := run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "stages:\n  - build\n  - test\nbuild:\n") {
		t.Errorf("preview = %q", out.String())
	}
}
