package client_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// fastRetry keeps the backoff short so status-code tables run quickly;
// a server's Retry-After is still honoured up to 3 s.
var fastRetry = client.RetryPolicy{Attempts: 5, Min: time.Millisecond, Max: 10 * time.Millisecond, MaxWait: 3 * time.Second}

func newClient(t *testing.T, fake *gitlabfake.Server) *client.Client {
	t.Helper()
	features := client.ProtocolFeatures()
	features.Variables, features.Masking, features.Artifacts = true, true, true
	c, err := client.New(client.Options{
		URL: fake.URL(), Version: "test",
		Info:  client.Info{Executor: "shell", Shell: "bash", Features: features},
		Retry: fastRetry,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var failureReasons = []string{"unknown_failure", "script_failure", "runner_system_failure", "job_execution_timeout", "runner_interrupted"}

func benchPayload() job.Payload {
	return job.Payload{JobInfo: job.JobInfo{Name: "bench"}, Features: job.Features{FailureReasons: failureReasons}}
}

// takeJob enqueues a job and receives it through jobs/request, as a runner
// does; it accepts it (two-phase commit) too.
func takeJob(t *testing.T, fake *gitlabfake.Server, c *client.Client) (*job.Payload, *gitlabfake.Job) {
	t.Helper()
	fj := fake.Enqueue(job.Payload{
		JobInfo:  job.JobInfo{Name: "build", ProjectFullPath: "acme/app"},
		Features: job.Features{FailureReasons: failureReasons},
	})
	p, _, err := c.RequestJob(t.Context(), fake.RunnerToken(), "s_0123456789ab")
	if err != nil || p == nil {
		t.Fatalf("RequestJob = %v, %v", p, err)
	}
	if err := c.AcceptJob(t.Context(), p); err != nil {
		t.Fatalf("AcceptJob: %v", err)
	}
	return p, fj
}

// assertTokenOnlyInAllowedPlaces checks the job token travelled only in
// JOB-TOKEN headers and PUT bodies.
func assertTokenOnlyInAllowedPlaces(t *testing.T, fake *gitlabfake.Server) {
	t.Helper()
	for _, misuse := range fake.TokenMisuse() {
		t.Error(misuse)
	}
}

func assertNoViolations(t *testing.T, fake *gitlabfake.Server) {
	t.Helper()
	if v := fake.Violations(); len(v) > 0 {
		t.Errorf("protocol violations:\n%s", bytes.Join(toBytes(v), []byte("\n")))
	}
}

func toBytes(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// maskedLog is a deterministic, already-masked job log of about n bytes.
func maskedLog(n int) []byte {
	var b bytes.Buffer
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "\x1b[0;m$ step %d: curl -H 'JOB-TOKEN: [MASKED]' https://gitlab.example.com/api/v4/x?n=%d\n", i, i*7919%1000)
	}
	return b.Bytes()[:n]
}

// countRequests counts recorded requests with this method and path.
func countRequests(fake *gitlabfake.Server, method, path string) int {
	return len(slices.DeleteFunc(fake.Requests(), func(r gitlabfake.Request) bool {
		return r.Method != method || r.Path != path
	}))
}
