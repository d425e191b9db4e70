package runner

import (
	"context"
	"runtime"
	"slices"
	"time"
)

// JobState is where a job of a pipeline ended up.
type JobState string

// Job states of a scheduled pipeline.
const (
	StateSuccess  JobState = "success"
	StateFailed   JobState = "failed"
	StateAllowed  JobState = "allowed to fail" // failed, with allow_failure
	StateCanceled JobState = "canceled"
	StateSkipped  JobState = "skipped"
	StateManual   JobState = "manual" // a manual job nobody asked for
)

// passed reports whether later on_success jobs may run after this state.
func (s JobState) passed() bool { return s == StateSuccess || s == StateAllowed }

// failed reports whether this state makes on_failure jobs run.
func (s JobState) failed() bool { return s == StateFailed || s == StateCanceled }

// ScheduleOptions tune a pipeline run.
type ScheduleOptions struct {
	// Concurrency caps the jobs running at once; 0 means the CPU count.
	Concurrency int
	// Manual names the manual jobs to run (`jobrun exec JOB`).
	Manual []string
}

// Outcome is one job's line of the pipeline summary.
type Outcome struct {
	Name, Stage string
	State       JobState
	// Result is the last attempt's result (zero when the job never ran).
	Result   Result
	Attempts int
	Duration time.Duration
}

// Summary is how a pipeline run ended, its jobs in plan order.
type Summary struct {
	Jobs []Outcome
	// Interrupted is set when the context was cancelled before the end.
	Interrupted bool
}

// Failed reports whether a job failed without being allowed to.
func (s Summary) Failed() bool {
	return slices.ContainsFunc(s.Jobs, func(o Outcome) bool { return o.State == StateFailed })
}

// Schedule runs the plan the way GitLab schedules a pipeline: a job
// without `needs:` waits for the earlier stages, one with `needs:` for
// those jobs only; independent jobs run concurrently; `when:` decides
// from the state of what a job waited for. Cancelling ctx cancels the
// running jobs (their after_script still runs) and starts nothing more.
// The error is for a malformed plan only.
func Schedule(ctx context.Context, plan Plan, opts ScheduleOptions) (Summary, error) {
	stageOf, deps, err := plan.validate()
	if err != nil {
		return Summary{}, err
	}
	s := &scheduler{plan: plan, opts: opts, deps: deps, order: stageOrder(stageOf)}
	return s.run(ctx), nil
}

// stageOrder lists node indexes by stage, keeping plan order inside one.
func stageOrder(stageOf []int) []int {
	order := make([]int, len(stageOf))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return stageOf[a] - stageOf[b] })
	return order
}

type scheduler struct {
	plan  Plan
	opts  ScheduleOptions
	deps  [][]int
	order []int

	outcomes []Outcome
	started  []bool
	done     []bool
}

type finished struct {
	i       int
	outcome Outcome
}

func (s *scheduler) run(ctx context.Context) Summary {
	n := len(s.plan.Nodes)
	s.outcomes = make([]Outcome, n)
	s.started, s.done = make([]bool, n), make([]bool, n)
	for i, node := range s.plan.Nodes {
		s.outcomes[i] = Outcome{Name: node.Name, Stage: node.Stage}
	}
	limit := s.opts.Concurrency
	if limit <= 0 {
		limit = runtime.NumCPU()
	}
	results := make(chan finished)
	running := 0
	interrupted := false
	for {
		if ctx.Err() != nil {
			interrupted = interrupted || s.cancelPending()
		} else {
			for _, i := range s.startable(limit - running) {
				running++
				go func() { results <- finished{i, s.execute(ctx, i)} }()
			}
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		s.outcomes[r.i] = r.outcome
		s.done[r.i] = true
	}
	return Summary{Jobs: s.outcomes, Interrupted: interrupted || ctx.Err() != nil}
}

// startable settles every pending job whose dependencies are done —
// skipping it or leaving it manual, or picking it to run — and returns
// up to max jobs to start now, in stage order.
func (s *scheduler) startable(max int) []int {
	var start []int
	for changed := true; changed; {
		changed = false
		for _, i := range s.order {
			if s.started[i] || !s.depsDone(i) {
				continue
			}
			state, run := s.decide(i)
			if !run {
				s.started[i], s.done[i] = true, true
				s.outcomes[i].State = state
				changed = true
				continue
			}
			if len(start) < max {
				s.started[i] = true
				start = append(start, i)
			}
		}
	}
	return start
}

func (s *scheduler) depsDone(i int) bool {
	for _, j := range s.deps[i] {
		if !s.done[j] {
			return false
		}
	}
	return true
}

// decide applies `when:` to the states of what job i waited for.
func (s *scheduler) decide(i int) (JobState, bool) {
	node := s.plan.Nodes[i]
	anyFailed, allPassed := false, true
	for _, j := range s.deps[i] {
		st := s.outcomes[j].State
		anyFailed = anyFailed || st.failed()
		// With needs, every needed job must have passed; across stages,
		// skipped and manual jobs do not hold later stages back.
		if node.NeedsDeclared && !st.passed() {
			allPassed = false
		}
	}
	onSuccess := !anyFailed && allPassed
	switch node.When {
	case WhenAlways:
		return "", true
	case WhenOnFailure:
		return StateSkipped, anyFailed
	case WhenNever:
		return StateSkipped, false
	case WhenManual:
		if !slices.Contains(s.opts.Manual, node.Name) {
			return StateManual, false
		}
	}
	return StateSkipped, onSuccess
}

// cancelPending marks every job that has not started as canceled and
// reports whether there was any.
func (s *scheduler) cancelPending() bool {
	any := false
	for i := range s.plan.Nodes {
		if !s.started[i] {
			s.started[i], s.done[i] = true, true
			s.outcomes[i].State = StateCanceled
			any = true
		}
	}
	return any
}

// execute runs job i, retrying as its `retry:` allows, and applies
// `allow_failure:` to the last attempt.
func (s *scheduler) execute(ctx context.Context, i int) Outcome {
	node := s.plan.Nodes[i]
	out := Outcome{Name: node.Name, Stage: node.Stage}
	start := time.Now()
	if node.When == WhenDelayed && node.StartIn > 0 {
		select {
		case <-ctx.Done():
			out.State, out.Result = StateCanceled, Result{Status: StatusCanceled, FailureReason: ReasonCanceled}
			return out
		case <-time.After(node.StartIn):
		}
	}
	for attempt := 1; ; attempt++ {
		out.Attempts = attempt
		out.Result = node.Run(ctx, attempt)
		if ctx.Err() != nil || !node.Retry.retries(out.Result, attempt) {
			break
		}
	}
	out.Duration = time.Since(start)
	switch {
	case out.Result.Status == StatusSuccess:
		out.State = StateSuccess
	case out.Result.Status == StatusCanceled:
		out.State = StateCanceled
	case node.AllowFailure.allows(out.Result):
		out.State = StateAllowed
	default:
		out.State = StateFailed
	}
	return out
}
