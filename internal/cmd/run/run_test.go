package run

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/iostreams"
	"github.com/jobrun/jobrun/internal/job"
)

func testFactory() (*cmdutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &cmdutil.Factory{IOStreams: ios, Version: "test", LookupEnv: func(string) (string, bool) { return "", false }}, out, errOut
}

func TestNewCmdRunFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want Options
	}{
		{nil, Options{}},
		{[]string{"--url", "https://gitlab.example.com", "--token", "glrt-x", "--once", "--executor", "docker"},
			Options{URL: "https://gitlab.example.com", Token: "glrt-x", TokenInArgs: true, Once: true, Executor: "docker"}},
		{[]string{"-c", "config.toml", "--strict", "--builds-dir", "/b"},
			Options{ConfigPath: "config.toml", Strict: true, BuildsDir: "/b"}},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory()
			var got *Options
			cmd := NewCmdRun(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(tc.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			ignore := cmpopts.IgnoreFields(Options{}, "IO", "LookupEnv", "Version", "Signals")
			if diff := cmp.Diff(tc.want, *got, ignore); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

const privileged = `concurrent = 1
[[runners]]
  name = "r1"
  url = "https://gitlab.example.com"
  token = "glrt-0123456789abcdefghij"
  executor = "docker"
  [runners.docker]
    image = "alpine"
    privileged = true
`

// Bad input and --strict stop before any network: exit 2 for what
// cannot run, 1 for --strict on a high finding; the token never printed.
func TestRunRefusesToStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(cfgPath, []byte(privileged), 0o600); err != nil {
		t.Fatal(err)
	}
	badExec := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(badExec, []byte(strings.Replace(privileged, `"docker"`, `"podman"`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		opts     Options
		wantCode int
		wantErr  string
		wantWarn string
	}{
		{"nothing to serve", Options{}, 2, "give --url and --token", ""},
		{"url without token", Options{URL: "https://gitlab.example.com"}, 2, "give --url and --token", ""},
		{"config and url", Options{ConfigPath: cfgPath, URL: "https://gitlab.example.com", Token: "glrt-x"}, 2, "not both", ""},
		{"unknown executor flag", Options{URL: "https://g", Token: "glrt-x", Executor: "podman"}, 2, `--executor "podman"`, ""},
		{"unknown executor in config", Options{ConfigPath: badExec}, 2, "bad.toml:6:3: runners[0]: executor \"podman\"", ""},
		{"missing config", Options{ConfigPath: filepath.Join(dir, "none.toml")}, 2, "none.toml", ""},
		{"strict on privileged docker", Options{ConfigPath: cfgPath, Strict: true}, 1, "--strict", "WARNING: runner r1: high JR030 docker-privileged"},
		{"strict on the shell executor, token in argv", Options{URL: "https://gitlab.example.com", Token: "glrt-0123456789abcdefghij", TokenInArgs: true, Strict: true},
			1, "--strict", TokenInArgsWarning},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, errOut := testFactory()
			opts := tc.opts
			opts.IO, opts.StateDir = f.IOStreams, t.TempDir()
			err := run(t.Context(), &opts)
			if code := cmdutil.ExitCode(err); code != tc.wantCode || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("run = %d %v, want %d %q", code, err, tc.wantCode, tc.wantErr)
			}
			if !strings.Contains(errOut.String(), tc.wantWarn) {
				t.Errorf("stderr lacks %q:\n%s", tc.wantWarn, errOut)
			}
			if strings.Contains(errOut.String()+err.Error(), "0123456789abcdefghij") {
				t.Errorf("the runner token was printed:\n%s", errOut)
			}
		})
	}
}

// jobrun run --once through the command: exit 0 for a passed job, 1 for
// a failed one, the runner's token shown only as a hint.
func TestRunOnce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		script   string
		wantCode int
	}{{"echo hello", 0}, {"exit 3", 1}} {
		t.Run(tc.script, func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			fj := fake.Enqueue(job.Payload{
				JobInfo:   job.JobInfo{Name: "build", ProjectFullPath: "acme/app"},
				Variables: job.Variables{{Key: "GIT_STRATEGY", Value: "none"}},
				Steps:     []job.Step{{Name: job.StepScript, When: job.WhenOnSuccess, Script: []string{tc.script}}},
			})
			f, out, errOut := testFactory()
			opts := Options{IO: f.IOStreams, Version: "test", URL: fake.URL(), Token: fake.RunnerToken(), Once: true,
				BuildsDir: t.TempDir(), StateDir: t.TempDir(), Verbose: true, Signals: make(chan os.Signal)}
			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			err := run(ctx, &opts)
			if code := cmdutil.ExitCode(err); code != tc.wantCode {
				t.Errorf("exit %d (%v), want %d; stderr:\n%s", code, err, tc.wantCode, errOut)
			}
			if !strings.Contains(errOut.String(), "token glrt-… (27 characters)") || strings.Contains(errOut.String()+out.String(), fake.RunnerToken()) {
				t.Errorf("stderr should hint at the token, never show it:\n%s", errOut)
			}
			if !bytes.Contains(out.Bytes(), fj.Trace()) || len(fj.Trace()) == 0 {
				t.Errorf("-v: the terminal should get the masked trace:\n%s", out)
			}
			if strings.Contains(out.String()+errOut.String(), fj.Payload.Token) {
				t.Error("the job token was printed")
			}
		})
	}
}

// SIGTERM lets the running job finish (exit 0, job passed); SIGINT
// cancels it, after_script runs, GitLab hears runner_interrupted, exit 130.
func TestRunSignals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sig        os.Signal
		wantCode   int
		wantState  string
		wantReason string
	}{
		{syscall.SIGTERM, 0, "success", ""},
		{syscall.SIGQUIT, 0, "success", ""},
		{os.Interrupt, 130, "failed", "runner_interrupted"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			fj := fake.Enqueue(job.Payload{
				JobInfo:   job.JobInfo{Name: "build", ProjectFullPath: "acme/app"},
				Variables: job.Variables{{Key: "GIT_STRATEGY", Value: "none"}},
				Steps: []job.Step{
					{Name: job.StepScript, When: job.WhenOnSuccess, Script: []string{"echo started", "sleep 6", "echo finished"}}, // the trace reaches GitLab after 3 s,
					{Name: job.StepAfterScript, When: job.WhenAlways, Script: []string{"echo after_script ran"}},
				},
				Features: job.Features{FailureReasons: []string{"runner_interrupted", "script_failure"}},
			})
			f, _, errOut := testFactory()
			signals := make(chan os.Signal, 1)
			opts := Options{IO: f.IOStreams, Version: "test", URL: fake.URL(), Token: fake.RunnerToken(),
				BuildsDir: t.TempDir(), StateDir: t.TempDir(), Signals: signals}
			done := make(chan error, 1)
			go func() { done <- run(t.Context(), &opts) }()
			for deadline := time.Now().Add(30 * time.Second); !bytes.Contains(fj.Trace(), []byte("\nstarted")); time.Sleep(10 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the job did not start; stderr:\n%s", errOut)
				}
			}
			signals <- tc.sig
			err := <-done
			if code := cmdutil.ExitCode(err); code != tc.wantCode {
				t.Errorf("exit %d (%v), want %d", code, err, tc.wantCode)
			}
			final, _ := fj.Final()
			if final.State != tc.wantState || final.FailureReason != tc.wantReason {
				t.Errorf("final %+v, want %s %q; trace:\n%s", final, tc.wantState, tc.wantReason, fj.Trace())
			}
			if !bytes.Contains(fj.Trace(), []byte("\nafter_script ran")) {
				t.Errorf("after_script did not run:\n%s", fj.Trace())
			}
		})
	}
}
