package runnermode

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/runner"
	"github.com/jobrun/jobrun/internal/testutil"
)

// golden compares got with testdata/<name>.golden (-update rewrites it).
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	testutil.Golden(t, filepath.Join("testdata", name+".golden"), got)
}

// failureReasons is what a current GitLab lists in features.failure_reasons.
var failureReasons = []string{"unknown_failure", "script_failure", "runner_system_failure", "job_execution_timeout",
	"runner_interrupted", "missing_dependency_failure", "job_canceled"}

var fastRetry = client.RetryPolicy{Attempts: 6, Min: time.Millisecond, Max: 20 * time.Millisecond, MaxWait: 3 * time.Second}

func fixedNow() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// shellSpec is one runner with the shell executor against fake.
func shellSpec(t testing.TB, fake *gitlabfake.Server) RunnerSpec {
	t.Helper()
	return RunnerSpec{
		Name: "test", URL: fake.URL(), Token: fake.RunnerToken(),
		Executor:  &executor.Shell{Shell: executor.Bash, Grace: 300 * time.Millisecond, TempDir: t.TempDir()},
		BuildsDir: t.TempDir(),
		BaseEnv:   runner.HostEnv(),
		Features:  ExecutorFeatures("shell"),
	}
}

// testOptions serve specs once, with short protocol intervals.
func testOptions(t *testing.T, specs ...RunnerSpec) Options {
	return Options{
		Runners: specs, Concurrent: 1, Once: true, Version: "test", SystemID: "s_0123456789ab",
		TempDir: t.TempDir(), CheckInterval: 20 * time.Millisecond, Retry: fastRetry, Now: fixedNow,
		Trace: client.TraceOptions{
			UpdateInterval: 20 * time.Millisecond, ForceSendInterval: 50 * time.Millisecond,
			FinalBackoffMin: time.Millisecond, FinalBackoffMax: 20 * time.Millisecond,
		},
		Log: testLog{t},
	}
}

// testLog sends the runner's own messages to the test log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSuffix(string(b), "\n"))
	return len(b), nil
}

func serve(t *testing.T, opts Options) Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	sum, err := Serve(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// basePayload is a job of project acme/app at sha that runs script.
func basePayload(sha string, script ...string) job.Payload {
	return job.Payload{
		AllowGitFetch: true,
		JobInfo:       job.JobInfo{Name: "build", Stage: "test", ProjectFullPath: "acme/app"},
		GitInfo:       job.GitInfo{Ref: "main", Sha: sha, RefType: "branch", Depth: 20, Refspecs: []string{"+refs/heads/main:refs/remotes/origin/main"}},
		RunnerInfo:    job.RunnerInfo{Timeout: 60},
		Steps:         []job.Step{{Name: job.StepScript, When: job.WhenOnSuccess, Script: script}},
		Features:      job.Features{FailureReasons: failureReasons},
	}
}

// bareRepo makes a bare repository with commits; the last one's sha is
// returned with the first's.
func bareRepo(t *testing.T, commits int) (dir string, shas []string) {
	t.Helper()
	base := t.TempDir()
	work := filepath.Join(base, "work")
	if err := os.Mkdir(work, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, work, "init", "-q")
	for i := range commits {
		if err := os.WriteFile(filepath.Join(work, "README"), []byte("hello from the repository, commit "+string(rune('1'+i))+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, work, "add", "README")
		git(t, work, "commit", "-q", "-m", "commit")
		shas = append(shas, git(t, work, "rev-parse", "HEAD"))
	}
	dir = filepath.Join(base, "app.git")
	git(t, base, "clone", "-q", "--bare", work, dir)
	return dir, shas
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(content)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// assertClean checks the fake saw no protocol violation and the job
// token travelled only in JOB-TOKEN headers and PUT bodies.
func assertClean(t *testing.T, fake *gitlabfake.Server) {
	t.Helper()
	for _, v := range fake.Violations() {
		t.Errorf("protocol violation: %s", v)
	}
	for _, m := range fake.TokenMisuse() {
		t.Errorf("token misuse: %s", m)
	}
}

// assertNoSecrets checks none of secrets is in trace.
func assertNoSecrets(t *testing.T, trace []byte, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && bytes.Contains(trace, []byte(s)) {
			t.Errorf("the trace holds the secret %q", s)
		}
	}
}

// readable makes a trace stable and diffable: each pair of old, new
// strings is replaced (the builds directory, the fake's address, the
// commit), escape characters become visible.
func readable(trace []byte, pairs ...string) []byte {
	s := strings.NewReplacer(pairs...).Replace(string(trace))
	return []byte(strings.NewReplacer("\x1b", "␛", "\r", "␍").Replace(s))
}

// stable are the pairs for readable of a job run by spec against fake.
func stable(spec RunnerSpec, fake *gitlabfake.Server, shas ...string) []string {
	pairs := []string{spec.BuildsDir, "$BUILDS", strings.TrimPrefix(fake.URL(), "http://"), "$GITLAB"}
	for _, sha := range shas {
		pairs = append(pairs, sha[:8], "$SHA")
	}
	return pairs
}
