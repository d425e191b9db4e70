package runner

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// events records what the scheduled jobs did, in order.
type events struct {
	mu  sync.Mutex
	log []string
}

func (e *events) add(s string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.log = append(e.log, s)
}

// exits returns a Run func that records its job's name and ends with the
// given exit codes, one per attempt (the last one repeats).
func exits(ev *events, name string, codes ...int) func(context.Context, int) Result {
	return func(_ context.Context, attempt int) Result {
		ev.add(name)
		code := codes[min(attempt, len(codes))-1]
		if code == 0 {
			return Result{Status: StatusSuccess}
		}
		return Result{Status: StatusFailed, ExitCode: code, FailureReason: ReasonScriptFailure}
	}
}

func states(s Summary) map[string]JobState {
	out := map[string]JobState{}
	for _, o := range s.Jobs {
		out[o.Name] = o.State
	}
	return out
}

func TestScheduleDecisions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		nodes      func(ev *events) []Node
		manual     []string
		wantRan    []string
		wantStates map[string]JobState
		wantFailed bool
	}{
		{
			name: "stage order",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "test", Stage: "test", Run: exits(ev, "test", 0)},
					{Name: "build-a", Stage: "build", Run: exits(ev, "build-a", 0)},
					{Name: "build-b", Stage: "build", Run: exits(ev, "build-b", 0)},
				}
			},
			wantRan:    []string{"build-a", "build-b", "test"},
			wantStates: map[string]JobState{"build-a": StateSuccess, "build-b": StateSuccess, "test": StateSuccess},
		},
		{
			name: "a failure stops later stages; on_failure and always run",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "build", Stage: "build", Run: exits(ev, "build", 1)},
					{Name: "test", Stage: "test", Run: exits(ev, "test", 0)},
					{Name: "notify", Stage: "test", When: WhenOnFailure, Run: exits(ev, "notify", 0)},
					{Name: "cleanup", Stage: "deploy", When: WhenAlways, Run: exits(ev, "cleanup", 0)},
				}
			},
			wantRan:    []string{"build", "notify", "cleanup"},
			wantStates: map[string]JobState{"build": StateFailed, "test": StateSkipped, "notify": StateSuccess, "cleanup": StateSuccess},
			wantFailed: true,
		},
		{
			name: "allow_failure exit codes",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "lint", Stage: "build", AllowFailure: AllowFailure{ExitCodes: []int{3}}, Run: exits(ev, "lint", 3)},
					{Name: "vet", Stage: "build", AllowFailure: AllowFailure{ExitCodes: []int{3}}, Run: exits(ev, "vet", 4)},
					{Name: "test", Stage: "test", Run: exits(ev, "test", 0)},
				}
			},
			wantRan:    []string{"lint", "vet"},
			wantStates: map[string]JobState{"lint": StateAllowed, "vet": StateFailed, "test": StateSkipped},
			wantFailed: true,
		},
		{
			name: "allowed failure lets later stages run",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "lint", Stage: "build", AllowFailure: AllowFailure{Any: true}, Run: exits(ev, "lint", 1)},
					{Name: "test", Stage: "test", Run: exits(ev, "test", 0)},
					{Name: "notify", Stage: "test", When: WhenOnFailure, Run: exits(ev, "notify", 0)},
				}
			},
			wantRan:    []string{"lint", "test"},
			wantStates: map[string]JobState{"lint": StateAllowed, "test": StateSuccess, "notify": StateSkipped},
		},
		{
			name: "retry until success, and not for other reasons",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "flaky", Stage: "test", Retry: Retry{Max: 2}, Run: exits(ev, "flaky", 1, 1, 0)},
					{Name: "picky", Stage: "test", Retry: Retry{Max: 2, When: []string{"runner_system_failure"}}, Run: exits(ev, "picky", 1, 0)},
					{Name: "codes", Stage: "test", Retry: Retry{Max: 1, ExitCodes: []int{137}}, Run: exits(ev, "codes", 137, 0)},
				}
			},
			wantRan:    []string{"flaky", "flaky", "flaky", "picky", "codes", "codes"},
			wantStates: map[string]JobState{"flaky": StateSuccess, "picky": StateFailed, "codes": StateSuccess},
			wantFailed: true,
		},
		{
			name: "manual jobs run only when named",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "deploy", Stage: "deploy", When: WhenManual, AllowFailure: AllowFailure{Any: true}, Run: exits(ev, "deploy", 0)},
					{Name: "smoke", Stage: "verify", NeedsDeclared: true, Needs: []Need{{Name: "deploy"}}, Run: exits(ev, "smoke", 0)},
					{Name: "report", Stage: "verify", Run: exits(ev, "report", 0)},
					{Name: "release", Stage: "deploy", When: WhenManual, Run: exits(ev, "release", 0)},
				}
			},
			manual:     []string{"release"},
			wantRan:    []string{"release", "report"},
			wantStates: map[string]JobState{"deploy": StateManual, "smoke": StateSkipped, "report": StateSuccess, "release": StateSuccess},
		},
		{
			name: "delayed runs after its delay, never does not run",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "later", Stage: "build", When: WhenDelayed, StartIn: 20 * time.Millisecond, Run: exits(ev, "later", 0)},
					{Name: "off", Stage: "build", When: WhenNever, Run: exits(ev, "off", 0)},
					{Name: "next", Stage: "test", Run: exits(ev, "next", 0)},
				}
			},
			wantRan:    []string{"later", "next"},
			wantStates: map[string]JobState{"later": StateSuccess, "off": StateSkipped, "next": StateSuccess},
		},
		{
			name: "needs: a failed need skips, an optional missing need is ignored",
			nodes: func(ev *events) []Node {
				return []Node{
					{Name: "a", Stage: "build", Run: exits(ev, "a", 1)},
					{Name: "b", Stage: "build", Run: exits(ev, "b", 0)},
					{Name: "needs-a", Stage: "test", NeedsDeclared: true, Needs: []Need{{Name: "a"}}, Run: exits(ev, "needs-a", 0)},
					{Name: "needs-b", Stage: "test", NeedsDeclared: true, Needs: []Need{{Name: "b"}, {Name: "gone", Optional: true}}, Run: exits(ev, "needs-b", 0)},
				}
			},
			wantRan:    []string{"a", "b", "needs-b"},
			wantStates: map[string]JobState{"a": StateFailed, "b": StateSuccess, "needs-a": StateSkipped, "needs-b": StateSuccess},
			wantFailed: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ev := &events{}
			sum, err := Schedule(context.Background(), Plan{Stages: []string{"build", "test", "deploy", "verify"}, Nodes: tt.nodes(ev)},
				ScheduleOptions{Concurrency: 1, Manual: tt.manual})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantRan, ev.log); diff != "" {
				t.Errorf("jobs run (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantStates, states(sum)); diff != "" {
				t.Errorf("states (-want +got):\n%s", diff)
			}
			if sum.Failed() != tt.wantFailed || sum.Interrupted {
				t.Errorf("Failed() = %v, Interrupted = %v; want %v, false", sum.Failed(), sum.Interrupted, tt.wantFailed)
			}
		})
	}
}

// A job with needs starts as soon as they are done, while an earlier
// stage is still running.
func TestScheduleNeedsDoNotWaitForStages(t *testing.T) {
	t.Parallel()
	fastStarted := make(chan struct{})
	var slowSawFast atomic.Bool
	plan := Plan{Nodes: []Node{
		{Name: "slow", Stage: "build", Run: func(context.Context, int) Result {
			select {
			case <-fastStarted:
				slowSawFast.Store(true)
			case <-time.After(5 * time.Second):
			}
			return Result{Status: StatusSuccess}
		}},
		{Name: "quick", Stage: "build", Run: func(context.Context, int) Result { return Result{Status: StatusSuccess} }},
		{Name: "fast", Stage: "test", NeedsDeclared: true, Needs: []Need{{Name: "quick"}}, Run: func(context.Context, int) Result {
			close(fastStarted)
			return Result{Status: StatusSuccess}
		}},
	}}
	if _, err := Schedule(context.Background(), plan, ScheduleOptions{Concurrency: 2}); err != nil {
		t.Fatal(err)
	}
	if !slowSawFast.Load() {
		t.Error("the job with needs waited for the whole earlier stage")
	}
}

func TestScheduleConcurrencyLimit(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{1, 2, 3} {
		var running, peak atomic.Int32
		var nodes []Node
		for _, name := range []string{"a", "b", "c", "d", "e", "f"} {
			nodes = append(nodes, Node{Name: name, Stage: "test", Run: func(context.Context, int) Result {
				now := running.Add(1)
				for p := peak.Load(); now > p && !peak.CompareAndSwap(p, now); p = peak.Load() {
				}
				time.Sleep(30 * time.Millisecond)
				running.Add(-1)
				return Result{Status: StatusSuccess}
			}})
		}
		if _, err := Schedule(context.Background(), Plan{Nodes: nodes}, ScheduleOptions{Concurrency: limit}); err != nil {
			t.Fatal(err)
		}
		if got := peak.Load(); got > int32(limit) || got < 1 {
			t.Errorf("limit %d: peak of %d jobs at once", limit, got)
		}
	}
}

// Cancelling the context cancels the running job and every job not yet
// started, and says the pipeline was interrupted.
func TestScheduleInterrupt(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	plan := Plan{Nodes: []Node{
		{Name: "long", Stage: "build", Run: func(ctx context.Context, _ int) Result {
			cancel()
			<-ctx.Done()
			return Result{Status: StatusCanceled, FailureReason: ReasonCanceled}
		}},
		{Name: "next", Stage: "test", When: WhenAlways, Run: func(context.Context, int) Result {
			t.Error("a job started after the interrupt")
			return Result{Status: StatusSuccess}
		}},
	}}
	sum, err := Schedule(ctx, plan, ScheduleOptions{Concurrency: 2})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]JobState{"long": StateCanceled, "next": StateCanceled}
	if diff := cmp.Diff(want, states(sum)); diff != "" || !sum.Interrupted {
		t.Errorf("interrupted=%v states (-want +got):\n%s", sum.Interrupted, diff)
	}
}

func TestScheduleRejectsBadPlans(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, int) Result { return Result{Status: StatusSuccess} }
	tests := []struct {
		name string
		plan Plan
		want string
	}{
		{"duplicate", Plan{Nodes: []Node{{Name: "a", Stage: "s", Run: ok}, {Name: "a", Stage: "s", Run: ok}}}, `job "a" is defined twice`},
		{"unknown stage", Plan{Stages: []string{"build"}, Nodes: []Node{{Name: "a", Stage: "test", Run: ok}}}, `job "a": stage "test" is not one of the stages [build]`},
		{"unknown need", Plan{Nodes: []Node{{Name: "a", Stage: "s", NeedsDeclared: true, Needs: []Need{{Name: "b"}}, Run: ok}}}, `job "a" needs "b", which is not in the pipeline`},
		{"cycle", Plan{Nodes: []Node{
			{Name: "a", Stage: "s", NeedsDeclared: true, Needs: []Need{{Name: "b"}}, Run: ok},
			{Name: "b", Stage: "s", NeedsDeclared: true, Needs: []Need{{Name: "a"}}, Run: ok},
		}}, "jobs wait for each other: a → b → a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Schedule(context.Background(), tt.plan, ScheduleOptions{})
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
