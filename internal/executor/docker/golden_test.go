package docker

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/jobtoken"
	"github.com/jobrun/jobrun/internal/masker"
	"github.com/jobrun/jobrun/internal/runner"
)

const apiKey = "s3cr3t-Value_123"

// dockerPayload is a job with an image, a fresh token and one masked and
// one masked file variable.
func dockerPayload(t *testing.T, image string, script, after []string) *job.Payload {
	t.Helper()
	id := nextJobID()
	p := &job.Payload{
		ID:         id,
		JobInfo:    job.JobInfo{ID: id, Name: "test", Stage: "test", ProjectFullPath: "acme/app"},
		RunnerInfo: job.RunnerInfo{Timeout: 60},
		Image:      job.Image{Name: image},
		Variables: job.Variables{
			{Key: "CI_SERVER_URL", Value: "https://gitlab.acme.test", Public: true},
			{Key: "API_KEY", Value: apiKey, Masked: true},
			{Key: "DEPLOY_KEY", Value: "-----BEGIN KEY-----\nfile-s3cret-line\n", Masked: true, File: true},
			{Key: "GREETING", Value: "hello", Public: true},
		},
		Steps: []job.Step{
			{Name: job.StepScript, Script: script, When: job.WhenOnSuccess},
			{Name: job.StepAfterScript, Script: after, When: job.WhenAlways},
		},
	}
	tok, err := jobtoken.Mint()
	if err != nil {
		t.Fatal(err)
	}
	jobtoken.Inject(p, tok)
	return p
}

// testRunner is the runner core with the Docker executor and the real
// masker, as `jobrun exec` wires them.
func testRunner(d *Docker) *runner.Runner {
	return &runner.Runner{
		Executor: d,
		NewMasker: func(dst io.Writer, prefixes []string) runner.Masker {
			return masker.New(dst, masker.Options{Prefixes: prefixes})
		},
		// What `jobrun exec` gives a shell job; the executor must keep
		// the host's PATH and HOME out of the container.
		BaseEnv: runner.HostEnv(),
		Now:     func() time.Time { return time.Unix(1700000000, 0) },
		Version: "test",
	}
}

// runJob runs p to its end and returns the trace with the host
// directory as $DIR and control characters made visible.
func runJob(t *testing.T, d *Docker, p *job.Payload) (string, runner.Result) {
	t.Helper()
	return runJobIn(context.Background(), t, d, p, t.TempDir())
}

func runJobIn(ctx context.Context, t *testing.T, d *Docker, p *job.Payload, dir string) (string, runner.Result) {
	t.Helper()
	var trace bytes.Buffer
	res := testRunner(d).Run(ctx, runner.Job{Payload: p, Dir: dir, Trace: &trace})
	assertNoLeftovers(t, d, p.ID)
	got := strings.ReplaceAll(trace.String(), dir, "$DIR")
	return strings.NewReplacer("\x1b", "␛", "\r", "␍").Replace(got), res
}

// secretForms are the ways a job may print its secrets; none may reach
// the trace.
func secretForms(p *job.Payload) []string {
	var forms []string
	for _, v := range []string{p.Token, apiKey, "file-s3cret-line"} {
		forms = append(forms, v, base64.StdEncoding.EncodeToString([]byte(v)), url.QueryEscape(v))
	}
	return forms
}

func TestRunnerGolden(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever, Grace: 500 * time.Millisecond})
	tests := []struct {
		name          string
		image         string
		script, after []string
		services      []job.Service
		timeout       int
		wantStatus    runner.Status
		wantReason    string
	}{
		{
			name:  "token and masked values never visible",
			image: busyboxImage,
			script: []string{
				`echo "token: $CI_JOB_TOKEN"`,
				`echo "clone: $CI_REPOSITORY_URL"`,
				`echo "api key: $API_KEY, public: $GREETING"`,
				`printf '%s' "$API_KEY" | base64`,
				`cat "$DEPLOY_KEY"`,
				`ls -ln "$DEPLOY_KEY" | cut -c1-10`,
				`echo "$CI_PROJECT_DIR"`,
			},
			after:      []string{`echo "after: $CI_JOB_TOKEN $CI_JOB_STATUS"`},
			wantStatus: runner.StatusSuccess,
		},
		{
			name:       "failing script, after_script runs in the same container",
			image:      bashImage,
			script:     []string{`echo state > /tmp/marker`, `exit 4`, `echo never`},
			after:      []string{`cat /tmp/marker`, `echo "status: $CI_JOB_STATUS"`},
			wantStatus: runner.StatusFailed, wantReason: runner.ReasonScriptFailure,
		},
		{
			name:       "timeout stops the script, after_script still runs",
			image:      busyboxImage,
			script:     []string{`echo state > /tmp/marker`, `echo started`, `sleep 300`},
			after:      []string{`cat /tmp/marker`, `echo "status: $CI_JOB_STATUS"`},
			timeout:    8, // room for Prepare on a loaded machine: the job timeout covers it
			wantStatus: runner.StatusFailed, wantReason: runner.ReasonTimeout,
		},
		{
			name:       "service reachable by its alias",
			image:      busyboxImage,
			script:     []string{`wget -qO- http://db:5432/`, `wget -qO- http://jobrun-test__postgres:5432/`},
			services:   []job.Service{httpService("db")},
			wantStatus: runner.StatusSuccess,
		},
	}
	tagServiceImage(t, d)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := dockerPayload(t, tt.image, tt.script, tt.after)
			p.Services = tt.services
			if tt.timeout > 0 {
				p.RunnerInfo.Timeout = tt.timeout
			}
			trace, res := runJob(t, d, p)
			if res.Status != tt.wantStatus || res.FailureReason != tt.wantReason {
				t.Errorf("result = %s/%s, want %s/%s", res.Status, res.FailureReason, tt.wantStatus, tt.wantReason)
			}
			for _, s := range secretForms(p) {
				if strings.Contains(trace, s) {
					t.Errorf("secret form %q visible in the trace", s)
				}
			}
			checkGolden(t, trace)
		})
	}
}

// Ctrl-C: the script is stopped, after_script still runs in the same
// container, the job is canceled, and nothing is left behind.
func TestRunnerCancel(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever, Grace: 500 * time.Millisecond})
	dir := t.TempDir()
	p := dockerPayload(t, busyboxImage,
		// The marker appears after the command's echo line: the
		// trace up to the cancel is the same on every run.
		[]string{`echo kept > /tmp/marker`, `touch "$CI_PROJECT_DIR/started"; sleep 300`},
		[]string{`cat /tmp/marker`})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for range 1500 {
			if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
	}()
	trace, res := runJobIn(ctx, t, d, p, dir)
	if res.Status != runner.StatusCanceled {
		t.Errorf("status = %s, want %s", res.Status, runner.StatusCanceled)
	}
	checkGolden(t, trace)
}
