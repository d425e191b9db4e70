package docker

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// Cancelling a script stops it — SIGTERM first, the container killed
// when a process ignores it — and the next script (after_script) runs in
// the same container, which still has the files the first one wrote.
func TestCancelThenAfterScript(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever, Grace: 300 * time.Millisecond})
	tests := []struct {
		name    string
		command string
	}{
		{"polite script", `sleep 300`},
		{"child ignoring SIGTERM", `(trap '' TERM; sleep 300) & wait`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			go func() {
				waitForPath(t, s, "/tmp/marker")
				cancel()
			}()
			var out bytes.Buffer
			start := time.Now()
			code, err := s.Run(ctx, executor.Script{Commands: []string{"echo kept > /tmp/marker", tt.command}, Output: &out})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if code == 0 {
				t.Errorf("cancelled script exited 0")
			}
			if elapsed := time.Since(start); elapsed > time.Minute {
				t.Errorf("Run returned only after %v", elapsed)
			}
			out.Reset()
			code, err = s.Run(context.Background(), executor.Script{Commands: []string{"cat /tmp/marker", "ps | grep -c 'sleep 300' || true"}, Output: &out})
			if err != nil || code != 0 {
				t.Fatalf("after_script: code %d, err %v, output %q", code, err, out.String())
			}
			want := green("$ cat /tmp/marker") + "kept\n" + green("$ ps | grep -c 'sleep 300' || true")
			if got := out.String(); len(got) < len(want) || got[:len(want)] != want {
				t.Errorf("after_script output %q, want prefix %q", got, want)
			}
			// Only the grep itself may mention the sleep: the script's
			// processes are gone.
			if got := out.String()[len(want):]; got != "1\n" && got != "0\n" {
				t.Errorf("processes still running after cancel: grep counted %q", got)
			}
		})
	}
}
