package client

import (
	"context"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// The uploader adopts GitLab's X-GitLab-Trace-Update-Interval, capped at
// 15 minutes, and the final update starts again from the initial interval.
func TestTraceFollowsUpdateInterval(t *testing.T) {
	t.Parallel()
	tests := []struct {
		header int // seconds
		want   time.Duration
	}{
		{7, 7 * time.Second},
		{60, time.Minute},
		{3600, MaxUpdateInterval},
	}
	for _, tt := range tests {
		fake := gitlabfake.New(t, gitlabfake.Options{TraceUpdateInterval: tt.header})
		c, err := New(Options{URL: fake.URL(), Version: "test"})
		if err != nil {
			t.Fatal(err)
		}
		fj := fake.Enqueue(job.Payload{})
		p, _, err := c.RequestJob(t.Context(), fake.RunnerToken(), "")
		if err != nil {
			t.Fatal(err)
		}
		tr := c.NewTrace(context.Background(), p, TraceOptions{UpdateInterval: time.Millisecond})
		if _, err := tr.Write([]byte("line\n")); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		// Wait until the 202 has been handled (the bytes are stored and the
		// interval moved off its start value).
		for (len(fj.Trace()) == 0 || tr.currentInterval() == time.Millisecond) && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		if got := tr.currentInterval(); got != tt.want {
			t.Errorf("header %d s: interval %v, want %v", tt.header, got, tt.want)
		}
		if err := tr.Finish(t.Context(), Result{State: StateSuccess}); err != nil {
			t.Fatal(err)
		}
	}
}
