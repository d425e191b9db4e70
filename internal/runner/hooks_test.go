package runner

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/job"
)

// tokenHook records, like exec's job API, which tokens are live: a token
// is added when its attempt starts and removed when it ends. A watcher
// writes a note with the token into the job's trace once the job asks
// for one (it creates <name>.ask), so the test can see the note arrive
// masked.
type tokenHook struct {
	dir   string
	mu    sync.Mutex
	live  map[string]string // token → job name
	ended map[string]int    // job name → end calls
}

func (h *tokenHook) start(p *job.Payload, notes io.Writer) (func(), error) {
	token, name := p.Token, p.JobInfo.Name
	h.mu.Lock()
	h.live[token] = name
	h.mu.Unlock()
	stop := make(chan struct{})
	go h.noteWhenAsked(name, token, notes, stop)
	return func() {
		close(stop)
		h.mu.Lock()
		delete(h.live, token)
		h.ended[name]++
		h.mu.Unlock()
	}, nil
}

func (h *tokenHook) noteWhenAsked(name, token string, notes io.Writer, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if _, err := os.Stat(filepath.Join(h.dir, name+".ask")); err == nil {
			fmt.Fprintf(notes, "note for %s: token %s denied\n", name, token)
			_ = os.WriteFile(filepath.Join(h.dir, name+".noted"), nil, 0o600)
			return
		}
	}
}

// TestOnJobStartCoversTheAttempt: the hook's token is live while the
// job's script runs and revoked once it ends, however it ends, and a
// note written while it runs lands in its log with the token masked.
func TestOnJobStartCoversTheAttempt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	askAndWait := `touch "$CI_JOB_NAME.ask"; while [ ! -e "$CI_JOB_NAME.noted" ]; do sleep 0.02; done`
	timeout := localJob("timeout", "test", []string{askAndWait, "sleep 30"}, nil, Node{})
	timeout.Payload.RunnerInfo.Timeout = 1
	jobs := []LocalJob{
		localJob("success", "test", []string{askAndWait, "echo done"}, nil, Node{}),
		localJob("failure", "test", []string{askAndWait, "exit 4"}, nil, Node{}),
		timeout,
	}
	hook := &tokenHook{dir: dir, live: map[string]string{}, ended: map[string]int{}}
	var term bytes.Buffer
	sum, err := RunLocal(context.Background(), jobs, LocalOptions{
		Runner: testRunner(t), Terminal: NewTerminal(&syncBuffer{b: &term}, TerminalOptions{}),
		Dir: dir, StateRoot: dir, Pipeline: "1", Stages: []string{"test"},
		Schedule: ScheduleOptions{Concurrency: 3}, OnJobStart: hook.start,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Jobs) != 3 {
		t.Fatalf("%d jobs in the summary, want 3", len(sum.Jobs))
	}
	if len(hook.live) != 0 {
		t.Errorf("%d tokens still live after the pipeline", len(hook.live))
	}
	for _, name := range []string{"success", "failure", "timeout"} {
		if hook.ended[name] != 1 {
			t.Errorf("%s: end called %d times, want 1", name, hook.ended[name])
		}
		log, err := os.ReadFile(LogPath(dir, "1", name))
		if err != nil {
			t.Fatal(err)
		}
		want := "note for " + name + ": token [MASKED] denied"
		if !strings.Contains(string(log), want) || strings.Contains(string(log), "glcbt-") {
			t.Errorf("%s's log lacks %q or shows a token:\n%s", name, want, log)
		}
	}
}

// TestOnJobStartCanceled: a canceled job's token is revoked too.
func TestOnJobStartCanceled(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	hook := &tokenHook{dir: dir, live: map[string]string{}, ended: map[string]int{}}
	ctx, cancel := context.WithCancel(context.Background())
	started := func(p *job.Payload, notes io.Writer) (func(), error) {
		end, err := hook.start(p, notes)
		go func() {
			// Cancel once the script is under way.
			for {
				if _, err := os.Stat(filepath.Join(dir, "started")); err == nil {
					cancel()
					return
				}
				time.Sleep(10 * time.Millisecond)
			}
		}()
		return end, err
	}
	var term bytes.Buffer
	_, err := RunLocal(ctx, []LocalJob{localJob("long", "test", []string{"touch started", "sleep 30"}, nil, Node{})},
		LocalOptions{Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{}), Dir: dir,
			Pipeline: "1", Stages: []string{"test"}, Schedule: ScheduleOptions{Concurrency: 1}, OnJobStart: started})
	if err != nil {
		t.Fatal(err)
	}
	if hook.ended["long"] != 1 || len(hook.live) != 0 {
		t.Errorf("canceled job: end called %d times, %d tokens live", hook.ended["long"], len(hook.live))
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  *bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
