package client_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

func TestBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want, err string
	}{
		{in: "https://gitlab.example.com", want: "https://gitlab.example.com/api/v4/"},
		{in: "https://gitlab.example.com/", want: "https://gitlab.example.com/api/v4/"},
		{in: "https://gitlab.example.com/ci", want: "https://gitlab.example.com/api/v4/"},
		{in: "https://gitlab.example.com/ci/", want: "https://gitlab.example.com/api/v4/"},
		{in: "http://127.0.0.1:8080/gitlab//", want: "http://127.0.0.1:8080/gitlab/api/v4/"},
		{in: "ftp://gitlab.example.com", err: `GitLab URL "ftp://gitlab.example.com": want an http:// or https:// URL`},
		{in: "gitlab.example.com", err: `GitLab URL "gitlab.example.com": want an http:// or https:// URL`},
		{in: "https://", err: `GitLab URL "https://": no host`},
		{in: "https://u:glpat-secret@gitlab.example.com", err: `GitLab URL "https://gitlab.example.com": credentials do not belong in the URL`},
	}
	for _, tt := range tests {
		got, err := client.BaseURL(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("BaseURL(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || got.String() != tt.want {
			t.Errorf("BaseURL(%q) = %v, %v; want %s", tt.in, got, err, tt.want)
		}
	}
}

func TestVerifyRunner(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	tests := []struct {
		name, token string
		fault       *gitlabfake.Fault
		wantErr     error
	}{
		{"valid token", fake.RunnerToken(), nil, nil},
		{"unknown token", "glrt-wrong", nil, client.ErrForbidden},
		{"orphaned runner", fake.RunnerToken(), &gitlabfake.Fault{Status: 422}, client.ErrOrphaned},
		{"503 burst, then verified", fake.RunnerToken(), &gitlabfake.Fault{Status: 503}, nil},
	}
	for _, tt := range tests {
		if tt.fault != nil {
			fake.InjectVerifyFaults(*tt.fault)
		}
		got, resp, err := c.VerifyRunner(t.Context(), tt.token, "s_0123456789ab")
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if tt.wantErr == nil && (got.ID != 42 || got.Token != tt.token || resp.StatusCode != http.StatusOK) {
			t.Errorf("%s: got %+v (%d)", tt.name, got, resp.StatusCode)
		}
	}
	assertNoViolations(t, fake)
}

// The jobs/request body carries token, system_id, last_update and only the
// features the caller says it implements; headers carry User-Agent and a
// request id.
func TestRequestJobWireFormat(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	if p, resp, err := c.RequestJob(t.Context(), fake.RunnerToken(), "s_0123456789ab"); p != nil || err != nil || resp.StatusCode != http.StatusNoContent {
		t.Fatalf("empty queue: %v %v %v", p, resp, err)
	}
	first := c.LastUpdate()
	if first == "" {
		t.Fatal("X-GitLab-Last-Update of the 204 was not kept")
	}
	fj := fake.Enqueue(job.Payload{JobInfo: job.JobInfo{Name: "build"}, Variables: job.Variables{{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true}}})
	p, resp, err := c.RequestJob(t.Context(), fake.RunnerToken(), "s_0123456789ab")
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("RequestJob: %v %v", resp, err)
	}
	if diff := cmp.Diff(fj.Payload, *p); diff != "" {
		t.Errorf("payload (-sent +decoded):\n%s", diff)
	}
	var reqs []gitlabfake.Request
	for _, r := range fake.Requests() {
		if r.Path == "/api/v4/jobs/request" {
			reqs = append(reqs, r)
		}
	}
	var body struct {
		Token      string `json:"token"`
		SystemID   string `json:"system_id"`
		LastUpdate string `json:"last_update"`
		Info       struct {
			Features map[string]bool `json:"features"`
		} `json:"info"`
	}
	if err := json.Unmarshal(reqs[1].Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"variables": true, "masking": true, "artifacts": true, "trace_reset": true, "trace_checksum": true,
		"trace_size": true, "cancelable": true, "cancel_gracefully": true, "two_phase_job_commit": true}
	if diff := cmp.Diff(want, body.Info.Features); diff != "" {
		t.Errorf("advertised features (-want +got):\n%s", diff)
	}
	if reqs[1].Header.Get("Runner-Token") != fake.RunnerToken() {
		t.Errorf("RUNNER-TOKEN header = %q", reqs[1].Header.Get("Runner-Token"))
	}
	if body.Token != fake.RunnerToken() || body.SystemID != "s_0123456789ab" {
		t.Errorf("token/system_id = %q/%q", body.Token, body.SystemID)
	}
	if body.LastUpdate != first {
		t.Errorf("last_update = %q, want the earlier X-GitLab-Last-Update %q", body.LastUpdate, first)
	}
	if ua := reqs[1].Header.Get("User-Agent"); ua == "" || reqs[1].Header.Get("X-Request-Id") == reqs[0].Header.Get("X-Request-Id") {
		t.Errorf("User-Agent %q, request ids %q %q", ua, reqs[0].Header.Get("X-Request-Id"), reqs[1].Header.Get("X-Request-Id"))
	}
	assertNoViolations(t, fake)
}

// With last_update set and nothing queued, the request is held for the
// long poll and answered 204 by "Workhorse"; a job enqueued meanwhile is
// handed out on the next request.
func TestRequestJobLongPoll(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{LongPoll: 5 * time.Second})
	c := newClient(t, fake)
	if _, _, err := c.RequestJob(t.Context(), fake.RunnerToken(), ""); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(100 * time.Millisecond)
		fake.Enqueue(job.Payload{JobInfo: job.JobInfo{Name: "late"}})
	}()
	p, resp, err := c.RequestJob(t.Context(), fake.RunnerToken(), "")
	if err != nil || p != nil || resp.Header.Get("Gitlab-Ci-Builds-Polling") != "yes" {
		t.Fatalf("long poll: %v %v %v", p, resp, err)
	}
	p, _, err = c.RequestJob(t.Context(), fake.RunnerToken(), "")
	if err != nil || p == nil || p.JobInfo.Name != "late" {
		t.Fatalf("after the long poll: %v %v", p, err)
	}
}

// Status codes of jobs/request, as the reference's table has them.
func TestRequestJobStatusCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		faults    []gitlabfake.Fault
		token     string
		wantErr   error
		wantCode  int
		wantTries int
		wantJob   bool
	}{
		{name: "403 bad token", token: "glrt-bad", wantErr: client.ErrForbidden, wantCode: 403, wantTries: 1},
		{name: "409 conflict", faults: []gitlabfake.Fault{{Status: 409}}, wantErr: client.ErrConflict, wantCode: 409, wantTries: 1},
		{name: "422 orphaned", faults: []gitlabfake.Fault{{Status: 422}}, wantErr: client.ErrOrphaned, wantCode: 422, wantTries: 1},
		{name: "429 then job", faults: []gitlabfake.Fault{{Status: 429, RetryAfter: 1}}, wantCode: 201, wantTries: 2, wantJob: true},
		{name: "5xx burst then job", faults: []gitlabfake.Fault{{Status: 502}, {Status: 503}, {Status: 500}, {Status: 504}}, wantCode: 201, wantTries: 5, wantJob: true},
		{name: "5xx beyond 5 attempts", faults: []gitlabfake.Fault{{Status: 503}, {Status: 503}, {Status: 503}, {Status: 503}, {Status: 503}}, wantErr: client.ErrUnavailable, wantCode: 503, wantTries: 5},
		{name: "408 retried", faults: []gitlabfake.Fault{{Status: 408}}, wantCode: 201, wantTries: 2, wantJob: true},
		{name: "lost connection is not retried (POST)", faults: []gitlabfake.Fault{{Status: gitlabfake.StatusDropped}}, wantErr: io.EOF, wantTries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			c := newClient(t, fake)
			fake.Enqueue(job.Payload{JobInfo: job.JobInfo{Name: "build"}})
			fake.InjectRequestFaults(tt.faults...)
			token := tt.token
			if token == "" {
				token = fake.RunnerToken()
			}
			p, resp, err := c.RequestJob(t.Context(), token, "")
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.wantCode != 0 && (resp == nil || resp.StatusCode != tt.wantCode) {
				t.Errorf("response = %+v, want %d", resp, tt.wantCode)
			}
			if (p != nil) != tt.wantJob {
				t.Errorf("job = %v, want one: %v", p, tt.wantJob)
			}
			if got := countRequests(fake, "POST", "/api/v4/jobs/request"); got != tt.wantTries {
				t.Errorf("%d attempts, want %d", got, tt.wantTries)
			}
		})
	}
}

// A context canceled during a retry wait stops at once.
func TestRetryStopsOnContextDone(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	fake.InjectRequestFaults(gitlabfake.Fault{Status: 429, RetryAfter: 3})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, _, err := c.RequestJob(ctx, fake.RunnerToken(), "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want context.DeadlineExceeded", err)
	}
}

func TestFailureReason(t *testing.T) {
	t.Parallel()
	full := []string{"script_failure", "runner_system_failure", "image_pull_failure", "runner_configuration_error", "runner_interrupted", "unknown_failure"}
	old := []string{"unknown_failure", "script_failure"}
	tests := []struct {
		reason    string
		supported []string
		want      string
	}{
		{"script_failure", nil, "script_failure"},
		{"job_execution_timeout", nil, "job_execution_timeout"},
		{"runner_system_failure", nil, "runner_system_failure"},
		{"image_pull_failure", full, "image_pull_failure"},
		{"image_pull_failure", old, "runner_system_failure"},
		{"runner_configuration_error", old, "script_failure"},
		{"runner_external_dependency_failure", old, "runner_system_failure"},
		{"runner_interrupted", full, "runner_interrupted"},
		{"runner_interrupted", old, "unknown_failure"},
		{"job_canceled", full, "unknown_failure"},
		{"", full, ""},
	}
	for _, tt := range tests {
		if got := client.FailureReason(tt.reason, tt.supported); got != tt.want {
			t.Errorf("FailureReason(%q, %v) = %q, want %q", tt.reason, tt.supported, got, tt.want)
		}
	}
}

// The two-phase commit's PUT state=running, as the reference has it.
func TestAcceptJob(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   *gitlabfake.Fault
		status  string
		wantErr error
	}{
		{name: "accepted"},
		{name: "409 taken by another runner manager", fault: &gitlabfake.Fault{Status: 409}, wantErr: client.ErrJobAborted},
		{name: "403", fault: &gitlabfake.Fault{Status: 403}, wantErr: client.ErrJobAborted},
		{name: "404 from a proxy", fault: &gitlabfake.Fault{Status: 404}, wantErr: client.ErrJobAborted},
		{name: "canceled meanwhile", status: "canceled", wantErr: client.ErrJobAborted},
		{name: "being canceled", status: "canceling", wantErr: client.ErrJobCanceling},
		{name: "5xx retried, then accepted", fault: &gitlabfake.Fault{Status: 502}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			c := newClient(t, fake)
			fj := fake.Enqueue(job.Payload{JobInfo: job.JobInfo{Name: "build"}})
			p, _, err := c.RequestJob(t.Context(), fake.RunnerToken(), "")
			if err != nil {
				t.Fatal(err)
			}
			if fj.Status() != "pending" {
				t.Fatalf("with two_phase_job_commit advertised the job is %q, want pending", fj.Status())
			}
			if tt.fault != nil {
				fj.InjectUpdateFaults(*tt.fault)
			}
			if tt.status != "" {
				fj.SetStatus(tt.status)
			}
			err = c.AcceptJob(t.Context(), p)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("AcceptJob = %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr == nil && fj.Status() != "running" {
				t.Errorf("status after accepting: %q", fj.Status())
			}
		})
	}
}

// Finish is once: a second call and later writes fail instead of
// reporting twice.
func TestTraceFinishOnce(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	p, fj := takeJob(t, fake, c)
	tr := c.NewTrace(t.Context(), p, client.TraceOptions{})
	if _, err := tr.Write([]byte("done\n")); err != nil {
		t.Fatal(err)
	}
	if err := tr.Finish(t.Context(), client.Result{State: client.StateSuccess}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Finish(t.Context(), client.Result{State: client.StateSuccess}); err == nil {
		t.Error("second Finish succeeded")
	}
	if _, err := tr.Write([]byte("late")); err == nil {
		t.Error("Write after Finish succeeded")
	}
	if n := len(fj.Updates()); n != 2 { // accept + one final
		t.Errorf("%d job updates, want 2", n)
	}
}

// The transport waits long enough for GitLab's ~50 s long poll.
func TestHTTPClientAllowsLongPoll(t *testing.T) {
	t.Parallel()
	tr, ok := client.NewHTTPClient().Transport.(*http.Transport)
	if !ok || tr.ResponseHeaderTimeout < 5*time.Minute || tr.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		t.Errorf("transport: %+v", tr)
	}
}
