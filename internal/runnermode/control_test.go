package runnermode

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// waitFor polls cond until it holds or the test's patience ends.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Errorf("timed out waiting for %s", what)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// How a running job ends when GitLab or the operator stops it: the job
// prints "started", sleeps, and has an after_script.
func TestJobStopped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		// stop acts once the job runs; cancel is Serve's context.
		stop       func(fj *gitlabfake.Job, cancel context.CancelFunc, graceful chan struct{})
		wantFinal  string // "" means no final update (aborted)
		wantReason string
		wantAfter  bool
	}{
		{
			name:      "Job-Status canceling: after_script runs, job failed",
			stop:      func(fj *gitlabfake.Job, _ context.CancelFunc, _ chan struct{}) { fj.SetStatus("canceling") },
			wantFinal: "failed", wantReason: "job_canceled", wantAfter: true,
		},
		{
			name: "403 mid-job: abort at once, no final update",
			stop: func(fj *gitlabfake.Job, _ context.CancelFunc, _ chan struct{}) {
				fj.InjectPatchFaults(gitlabfake.Fault{Status: http.StatusForbidden})
			},
			wantFinal: "",
		},
		{
			name:      "Job-Status canceled: abort",
			stop:      func(fj *gitlabfake.Job, _ context.CancelFunc, _ chan struct{}) { fj.SetStatus("canceled") },
			wantFinal: "",
		},
		{
			name:      "SIGINT: after_script runs, reported runner_interrupted",
			stop:      func(_ *gitlabfake.Job, cancel context.CancelFunc, _ chan struct{}) { cancel() },
			wantFinal: "failed", wantReason: "runner_interrupted", wantAfter: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			p := basePayload("", `echo started`, `for i in $(seq 1 100); do echo tick; sleep 0.2; done`, `echo never`)
			p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "none"}}
			p.Steps = append(p.Steps, job.Step{Name: job.StepAfterScript, When: job.WhenAlways, Script: []string{`echo "after ran: $CI_JOB_STATUS"`}})
			fj := fake.Enqueue(p)
			opts := testOptions(t, shellSpec(t, fake))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			graceful := make(chan struct{})
			opts.Graceful = graceful
			done := make(chan Summary, 1)
			start := time.Now()
			go func() { sum, _ := Serve(ctx, opts); done <- sum }()
			waitFor(t, "the job to print", func() bool { return bytes.Contains(fj.Trace(), []byte("started")) })
			tc.stop(fj, cancel, graceful)
			sum := <-done
			if time.Since(start) > 15*time.Second {
				t.Errorf("the job was not stopped: it took %v", time.Since(start))
			}
			final, ok := fj.Final()
			switch {
			case tc.wantFinal == "" && ok:
				t.Errorf("final update %+v after an abort", final)
			case tc.wantFinal != "" && (!ok || final.State != tc.wantFinal || final.FailureReason != tc.wantReason):
				t.Errorf("final update %+v (sent: %v), want %s/%s", final, ok, tc.wantFinal, tc.wantReason)
			}
			if tc.wantFinal == "" && sum.Dropped != 1 {
				t.Errorf("summary %+v, want one dropped job", sum)
			}
			if got := bytes.Contains(fj.Trace(), []byte("after ran: canceled")); got != tc.wantAfter {
				t.Errorf("after_script ran = %v, want %v; trace:\n%s", got, tc.wantAfter, fj.Trace())
			}
			if bytes.Contains(fj.Trace(), []byte("never")) && !bytes.Contains(fj.Trace(), []byte("echo never")) {
				t.Error("the script went on after the stop")
			}
			assertNoSecrets(t, fj.Trace(), fj.Payload.Token)
			assertClean(t, fake)
		})
	}
}

// SIGTERM (Graceful): no new job is taken, the running one finishes.
func TestGracefulStopFinishesRunningJob(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	p := basePayload("", `echo started`, `sleep 1`, `echo finished`)
	p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "none"}}
	first := fake.Enqueue(p)
	opts := testOptions(t, shellSpec(t, fake))
	opts.Once = false
	graceful := make(chan struct{})
	opts.Graceful = graceful
	done := make(chan Summary, 1)
	go func() { sum, _ := Serve(t.Context(), opts); done <- sum }()
	waitFor(t, "the job to print", func() bool { return bytes.Contains(first.Trace(), []byte("started")) })
	close(graceful)
	second := fake.Enqueue(p)
	sum := <-done
	if final, ok := first.Final(); !ok || final.State != "success" || !bytes.Contains(first.Trace(), []byte("\nfinished")) {
		t.Errorf("running job: final %+v, trace:\n%s", final, first.Trace())
	}
	if second.Status() != "pending" || sum.Succeeded != 1 {
		t.Errorf("after the stop a job was taken: status %q, summary %+v", second.Status(), sum)
	}
	assertClean(t, fake)
}

// Bursts of 429 and 5xx, a connection dropped mid-PATCH and 202 final
// answers are survived: the job's trace arrives whole and it is reported.
func TestFlakyGitLabSurvived(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{TraceUpdateInterval: 1})
	fake.InjectRequestFaults(gitlabfake.Fault{Status: 429, RetryAfter: 1}, gitlabfake.Fault{Status: 502}, gitlabfake.Fault{Status: 503})
	p := basePayload("", `for i in $(seq 1 2000); do echo "line $i of the job's output"; done`, `sleep 0.3`, `echo done`)
	p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "none"}}
	fj := fake.Enqueue(p)
	fj.InjectPatchFaults(gitlabfake.Fault{Status: 500}, gitlabfake.Fault{Status: 502}, gitlabfake.Fault{Status: 429, RetryAfter: 1})
	fj.DropPatches(1)
	fj.InjectUpdateFaults(gitlabfake.Fault{Status: 503}, gitlabfake.Fault{Status: 502}) // on the two-phase commit
	fj.AcceptFinal(2)
	fj.FailChecksumOnce() // 412: the whole trace is sent again
	sum := serve(t, testOptions(t, shellSpec(t, fake)))
	if !sum.Success() {
		t.Fatalf("summary %+v; trace:\n%s", sum, fj.Trace())
	}
	trace := fj.Trace()
	// Every injected fault was met (and survived).
	for _, want := range []struct {
		method, path string
		status       int
	}{
		{"POST", "/api/v4/jobs/request", 429}, {"POST", "/api/v4/jobs/request", 503},
		{"PATCH", "/api/v4/jobs/1001/trace", gitlabfake.StatusDropped}, {"PATCH", "/api/v4/jobs/1001/trace", 500},
		{"PATCH", "/api/v4/jobs/1001/trace", 429}, {"PUT", "/api/v4/jobs/1001", 503}, {"PUT", "/api/v4/jobs/1001", 202},
		{"PUT", "/api/v4/jobs/1001", 412},
	} {
		if !slices.ContainsFunc(fake.Requests(), func(r gitlabfake.Request) bool {
			return r.Method == want.method && r.Path == want.path && r.Status == want.status
		}) {
			t.Errorf("no %s %s answered %d", want.method, want.path, want.status)
		}
	}
	for _, want := range []string{"line 1 of", "line 2000 of the job's output\n", "\ndone\n", "Job succeeded"} {
		if !bytes.Contains(trace, []byte(want)) {
			t.Errorf("trace lacks %q", want)
		}
	}
	assertClean(t, fake)
}

// GitLab lost part of the trace mid-job (its size is behind the
// runner's offset): the next PATCH gets 416 and the uploader resends from
// GitLab's offset, so the stored trace is whole and has nothing twice.
func TestTraceResentAfter416(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	p := noGit(basePayload("", `echo "part one"`, `sleep 0.5`, `echo "part two"`))
	fj := fake.Enqueue(p)
	done := make(chan Summary, 1)
	go func() { done <- serve(t, testOptions(t, shellSpec(t, fake))) }()
	waitFor(t, "part one", func() bool { return bytes.Contains(fj.Trace(), []byte("\npart one\n")) })
	fj.TruncateTrace(10)
	if sum := <-done; !sum.Success() {
		t.Fatalf("summary %+v; trace:\n%s", sum, fj.Trace())
	}
	trace := fj.Trace()
	if bytes.Count(trace, []byte("\npart one\n")) != 1 || !bytes.Contains(trace, []byte("\npart two\n")) {
		t.Errorf("trace after the resend:\n%s", trace)
	}
	if !slices.ContainsFunc(fake.Requests(), func(r gitlabfake.Request) bool { return r.Status == http.StatusRequestedRangeNotSatisfiable }) {
		t.Error("no PATCH was answered 416")
	}
	assertClean(t, fake)
}

// A dependency whose artifacts are gone (404) fails the job with
// missing_dependency_failure before its script runs.
func TestMissingDependency(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	p := noGit(basePayload("", `echo script ran`))
	p.Dependencies = []job.Dependency{{ID: 4242, Name: "gone", Token: "glcbt-dependency-4242-token", ArtifactsFile: &job.ArtifactsFile{Filename: "artifacts.zip"}}}
	fj := fake.Enqueue(p)
	serve(t, testOptions(t, shellSpec(t, fake)))
	final, _ := fj.Final()
	if final.State != "failed" || final.FailureReason != "missing_dependency_failure" {
		t.Errorf("final %+v", final)
	}
	if bytes.Contains(fj.Trace(), []byte("\nscript ran")) {
		t.Errorf("the script ran:\n%s", fj.Trace())
	}
	assertNoSecrets(t, fj.Trace(), "glcbt-dependency-4242-token", fj.Payload.Token)
	assertClean(t, fake)
}
