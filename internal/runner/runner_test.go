package runner

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/jobtoken"
)

var fixedNow = func() time.Time { return time.Unix(1700000000, 0) }

// testPayload is a job as the pipeline compiler hands it over, with a
// freshly minted token injected.
func testPayload(t *testing.T, script, after []string, vars ...job.Variable) *job.Payload {
	t.Helper()
	p := &job.Payload{
		ID:         7,
		JobInfo:    job.JobInfo{ID: 7, Name: "test", Stage: "test", ProjectFullPath: "acme/app"},
		RunnerInfo: job.RunnerInfo{Timeout: 60},
		Variables:  append(job.Variables{{Key: "CI_SERVER_URL", Value: "https://gitlab.acme.test", Public: true}}, vars...),
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

func testRunner(t *testing.T) *Runner {
	return &Runner{
		Executor:  &executor.Shell{Shell: executor.Bash, Grace: 200 * time.Millisecond, TempDir: t.TempDir()},
		NewMasker: newTestMasker,
		BaseEnv:   []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()},
		Now:       fixedNow,
		Version:   "test",
	}
}

// readable makes a raw trace diffable: the job's directory becomes $DIR
// and control characters become visible.
func readable(trace, dir string) []byte {
	trace = strings.ReplaceAll(trace, dir, "$DIR")
	return []byte(strings.NewReplacer("\x1b", "␛", "\r", "␍").Replace(trace))
}

func TestRunGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		script     []string
		after      []string
		vars       []job.Variable
		timeout    int
		wantStatus Status
		wantReason string
		wantCode   int
	}{
		{
			name: "token masked wherever printed",
			script: []string{
				`echo "token: $CI_JOB_TOKEN"`,
				`echo "clone: $CI_REPOSITORY_URL"`,
				`echo "registry: $CI_REGISTRY_USER:$CI_REGISTRY_PASSWORD"`,
				`echo "api key: $API_KEY, public: $GREETING"`,
				`printf '%s' "$CI_JOB_TOKEN" | wc -c`,
			},
			vars: []job.Variable{
				{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true},
				{Key: "GREETING", Value: "hello", Public: true},
			},
			wantStatus: StatusSuccess,
		},
		{
			name: "token and masked values in derived forms",
			script: []string{
				`printf '%s' "$CI_JOB_TOKEN" | base64`,
				`echo "$CI_JOB_TOKEN" | base64`,
				`printf '%s' "$CI_JOB_TOKEN" | base64 -w0 | tr '+/' '-_'; echo`,
				`urlencode() { local s="$1" i c; for ((i = 0; i < ${#s}; i++)); do c=${s:i:1}; case $c in [a-zA-Z0-9.~_-]) printf '%s' "$c" ;; *) printf '%%%02X' "'$c" ;; esac; done; echo; }`,
				`urlencode "$API_KEY"`,
				`echo "https://api.test/?key=$(urlencode "$API_KEY")&page=2"`,
				`printf '%s' "$API_KEY" | base64`,
				`echo "token split by the shell: ${CI_JOB_TOKEN:0:20}""${CI_JOB_TOKEN:20}"`,
			},
			vars: []job.Variable{
				{Key: "API_KEY", Value: "p@ss/w:rd+x&y=z", Masked: true},
			},
			wantStatus: StatusSuccess,
		},
		{
			name:       "failing command stops the script",
			script:     []string{"echo before", "false", "echo never"},
			after:      []string{`echo "status: $CI_JOB_STATUS"`},
			wantStatus: StatusFailed, wantReason: ReasonScriptFailure, wantCode: 1,
		},
		{
			name:       "after_script failure does not change the result",
			script:     []string{"echo ok"},
			after:      []string{`echo "status: $CI_JOB_STATUS"`, "exit 4"},
			wantStatus: StatusSuccess,
		},
		{
			name:       "timeout",
			script:     []string{"echo start", "sleep 30"},
			after:      []string{`echo "status: $CI_JOB_STATUS"`},
			timeout:    2,
			wantStatus: StatusFailed, wantReason: ReasonTimeout, wantCode: 143,
		},
		{
			name: "runner variables",
			script: []string{
				`echo "status=$CI_JOB_STATUS server=$CI_SERVER timeout=$CI_JOB_TIMEOUT version=$CI_RUNNER_VERSION"`,
				`[ "$CI_PROJECT_DIR" = "$PWD" ] && echo "runs in CI_PROJECT_DIR"`,
				`echo "started at $CI_JOB_STARTED_AT"`,
			},
			wantStatus: StatusSuccess,
		},
		{
			name:   "masked file variable",
			script: []string{`ls -l "$SSH_KEY" | cut -c1-10`, `cat "$SSH_KEY"`, `[ -f "$SSH_KEY" ] && echo "SSH_KEY is a file"`},
			vars: []job.Variable{
				{Key: "SSH_KEY", Value: "key-material-0123456789", Masked: true, File: true},
			},
			wantStatus: StatusSuccess,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := testPayload(t, tt.script, tt.after, tt.vars...)
			if tt.timeout > 0 {
				p.RunnerInfo.Timeout = tt.timeout
			}
			dir := t.TempDir()
			var out bytes.Buffer
			res := testRunner(t).Run(context.Background(), Job{Payload: p, Dir: dir, Trace: &out})
			if res.Status != tt.wantStatus || res.FailureReason != tt.wantReason || res.ExitCode != tt.wantCode {
				t.Errorf("result = %s/%s/%d, want %s/%s/%d", res.Status, res.FailureReason, res.ExitCode,
					tt.wantStatus, tt.wantReason, tt.wantCode)
			}
			assertNoSecrets(t, out.String(), p)
			checkGolden(t, t.Name(), readable(out.String(), dir))
		})
	}
}

// assertNoSecrets checks that neither the token nor any masked value
// appears in s.
func assertNoSecrets(t *testing.T, s string, p *job.Payload) {
	t.Helper()
	if strings.Contains(s, p.Token) {
		t.Errorf("the job token appears in the output")
	}
	for _, v := range p.Variables.MaskedValues() {
		if strings.Contains(s, v) {
			t.Errorf("masked value %q appears in the output", v)
		}
	}
}
