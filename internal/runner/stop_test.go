package runner

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/testutil"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// A job stopped by its timeout or by a cancel leaves no process behind,
// and after_script still runs and sees why the job ended.
func TestRunStopsJobProcesses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		timeout    int
		cancel     bool
		wantStatus Status
		wantReason string
		wantLine   string
	}{
		{"timeout", 2, false, StatusFailed, ReasonTimeout, "status: failed\n"},
		{"cancel", 60, true, StatusCanceled, ReasonCanceled, "status: canceled\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := testPayload(t,
				[]string{"sleep 300 & echo $! > child.pid; wait"},
				[]string{`echo "status: $CI_JOB_STATUS"`})
			p.RunnerInfo.Timeout = tt.timeout
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				go func() {
					waitForPidFile(filepath.Join(dir, "child.pid"))
					cancel()
				}()
			}
			var out bytes.Buffer
			res := testRunner(t).Run(ctx, Job{Payload: p, Dir: dir, Trace: &out})
			if res.Status != tt.wantStatus || res.FailureReason != tt.wantReason {
				t.Errorf("result %s/%s, want %s/%s", res.Status, res.FailureReason, tt.wantStatus, tt.wantReason)
			}
			if !strings.Contains(out.String(), tt.wantLine) {
				t.Errorf("after_script did not report %q:\n%s", tt.wantLine, out.String())
			}
			b, err := os.ReadFile(filepath.Join(dir, "child.pid"))
			if err != nil {
				t.Fatal(err)
			}
			pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
			if pid <= 0 || !testutil.ProcessGone(pid) {
				t.Errorf("child %d of the stopped job is still running", pid)
			}
		})
	}
}

func TestRunCannotStart(t *testing.T) {
	t.Parallel()
	p := testPayload(t, []string{"echo never"}, []string{"echo never either"})
	var out bytes.Buffer
	res := testRunner(t).Run(context.Background(), Job{Payload: p, Dir: "/nonexistent/jobrun-dir", Trace: &out})
	if res.Status != StatusFailed || res.FailureReason != ReasonSystemFailure {
		t.Errorf("result %s/%s, want failed/%s", res.Status, res.FailureReason, ReasonSystemFailure)
	}
	checkGolden(t, t.Name(), readable(out.String(), "/nonexistent"))
}

func waitForPidFile(path string) {
	for range 500 {
		if b, err := os.ReadFile(path); err == nil && bytes.HasSuffix(b, []byte("\n")) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// While a job runs, no process's argument list holds the token or a
// masked value, and no file the job did not ask for does either: the
// script file holds `$VAR` references only.
func TestRunSecretsNeverInArgvOrScriptFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := testPayload(t,
		[]string{`echo "$CI_JOB_TOKEN $API_KEY" > /dev/null`, "sleep 2 & echo $! > running; wait"},
		nil,
		job.Variable{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true})
	r := testRunner(t)
	done := make(chan Result)
	go func() { done <- r.Run(context.Background(), Job{Payload: p, Dir: dir, Trace: &bytes.Buffer{}}) }()
	waitForPidFile(filepath.Join(dir, "running"))
	secrets := append([]string{p.Token}, p.Variables.MaskedValues()...)
	// Several passes while the job's processes live: a single look could
	// fall between a fork and an exec.
	for range 10 {
		scanCmdlines(t, secrets)
		time.Sleep(50 * time.Millisecond)
	}
	scripts, _ := filepath.Glob(filepath.Join(r.Executor.(*executor.Shell).TempDir, "*", "script-*.sh"))
	if len(scripts) == 0 {
		t.Errorf("no script file found while the job runs")
	}
	for _, f := range scripts {
		b, _ := os.ReadFile(f)
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("script file %s holds a secret", f)
			}
		}
	}
	if res := <-done; res.Status != StatusSuccess {
		t.Errorf("job ended %s/%s", res.Status, res.FailureReason)
	}
}

// scanCmdlines fails the test when any process's argument list holds one
// of secrets.
func scanCmdlines(t *testing.T, secrets []string) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	if len(procs) < 3 {
		t.Fatalf("only %d processes visible in /proc", len(procs))
	}
	for _, f := range procs {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the process ended meanwhile
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds a secret: %q", f, b)
			}
		}
	}
}

// A second interrupt (Abort) stops an after_script that would otherwise
// run to its own timeout, and leaves none of its processes behind.
func TestRunAbortStopsAfterScript(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := testPayload(t, []string{"sleep 300"}, []string{"sleep 300 & echo $! > after.pid; wait"})
	ctx, cancel := context.WithCancel(context.Background())
	abort, abortNow := context.WithCancel(context.Background())
	defer abortNow()
	cancel() // the first interrupt came before the job even started
	go func() {
		waitForPidFile(filepath.Join(dir, "after.pid"))
		abortNow()
	}()
	var out bytes.Buffer
	res := testRunner(t).Run(ctx, Job{Payload: p, Dir: dir, Trace: &out, Abort: abort})
	if res.Status != StatusCanceled {
		t.Errorf("status %s, want canceled", res.Status)
	}
	if !strings.Contains(out.String(), "WARNING: after_script aborted") {
		t.Errorf("no abort warning in:\n%s", out.String())
	}
	b, err := os.ReadFile(filepath.Join(dir, "after.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if !testutil.ProcessGone(pid) {
		t.Errorf("after_script child %d still running", pid)
	}
}

// Under a PTY (--tty), the script sees a terminal, lines end in "\n"
// as with pipes, and the token is still masked.
func TestRunUnderTerminal(t *testing.T) {
	t.Parallel()
	p := testPayload(t, []string{`[ -t 1 ] && echo "on a terminal: $CI_JOB_TOKEN"`}, nil)
	r := testRunner(t)
	r.TTY = true
	var out bytes.Buffer
	res := r.Run(context.Background(), Job{Payload: p, Dir: t.TempDir(), Trace: &out})
	if res.Status != StatusSuccess {
		t.Fatalf("status %s/%s:\n%s", res.Status, res.FailureReason, out.String())
	}
	if !strings.Contains(out.String(), "\non a terminal: [MASKED]\n") || strings.Contains(out.String(), "\r\n") {
		t.Errorf("trace:\n%q", out.String())
	}
	assertNoSecrets(t, out.String(), p)
}

// after_script has its own timeout (RUNNER_AFTER_SCRIPT_TIMEOUT here);
// hitting it is a warning and does not change the job's result.
func TestRunAfterScriptTimeout(t *testing.T) {
	t.Parallel()
	p := testPayload(t, []string{"echo ok"}, []string{"sleep 30"},
		job.Variable{Key: "RUNNER_AFTER_SCRIPT_TIMEOUT", Value: "1s", Public: true})
	var out bytes.Buffer
	res := testRunner(t).Run(context.Background(), Job{Payload: p, Dir: t.TempDir(), Trace: &out})
	if res.Status != StatusSuccess {
		t.Errorf("status %s/%s, want success", res.Status, res.FailureReason)
	}
	if !strings.Contains(out.String(), "WARNING: after_script timed out after 1s") {
		t.Errorf("no timeout warning in:\n%s", out.String())
	}
}
