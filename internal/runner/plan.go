package runner

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// When values of a job (`when:`).
const (
	WhenOnSuccess = "on_success"
	WhenOnFailure = "on_failure"
	WhenAlways    = "always"
	WhenManual    = "manual"
	WhenDelayed   = "delayed"
	WhenNever     = "never"
)

// Plan is a local pipeline as the scheduler sees it: GitLab's part of
// deciding which job runs when. The pipeline compiler's output is
// adapted to it by the caller.
type Plan struct {
	// Stages in order; empty means the order in which Nodes name them.
	Stages []string
	Nodes  []Node
}

// Node is one job of the plan.
type Node struct {
	Name, Stage string
	// Needs are the jobs this one waits for when NeedsDeclared; then it
	// starts as soon as they are done, whatever their stage (`needs: []`
	// starts at once). Without `needs:`, a job waits for every job of
	// the earlier stages.
	Needs         []Need
	NeedsDeclared bool
	// When is one of the When* values; empty means on_success.
	When string
	// StartIn delays a `when: delayed` job.
	StartIn      time.Duration
	AllowFailure AllowFailure
	Retry        Retry
	// Run runs the job once; attempt counts from 1.
	Run func(ctx context.Context, attempt int) Result
}

// Need is one entry of `needs:`.
type Need struct {
	Name     string
	Optional bool
}

// AllowFailure is `allow_failure:`: any failure, or only these exit codes.
type AllowFailure struct {
	Any       bool
	ExitCodes []int
}

func (a AllowFailure) allows(r Result) bool {
	if r.Status != StatusFailed {
		return false
	}
	return a.Any || (r.FailureReason == ReasonScriptFailure && slices.Contains(a.ExitCodes, r.ExitCode))
}

// Retry is `retry:`: up to Max more attempts when the failure reason is
// in When ("always" or empty means any) and, if ExitCodes is given, the
// exit code is one of them.
type Retry struct {
	Max       int
	When      []string
	ExitCodes []int
}

func (rt Retry) retries(r Result, attempt int) bool {
	if r.Status != StatusFailed || attempt > rt.Max {
		return false
	}
	if len(rt.ExitCodes) > 0 && !slices.Contains(rt.ExitCodes, r.ExitCode) {
		return false
	}
	if len(rt.When) == 0 || slices.Contains(rt.When, "always") {
		return true
	}
	reason := r.FailureReason
	if reason == ReasonTimeout && slices.Contains(rt.When, "stuck_or_timeout_failure") {
		return true
	}
	return slices.Contains(rt.When, reason)
}

// validate checks the plan's names: unique jobs, known stages, known
// needs, no cycle. It returns the stage index of each node and the nodes
// each node waits for.
func (p Plan) validate() (stageOf []int, deps [][]int, err error) {
	stages := p.Stages
	if len(stages) == 0 {
		for _, n := range p.Nodes {
			if !slices.Contains(stages, n.Stage) {
				stages = append(stages, n.Stage)
			}
		}
	}
	byName := map[string]int{}
	stageOf = make([]int, len(p.Nodes))
	for i, n := range p.Nodes {
		if _, dup := byName[n.Name]; dup {
			return nil, nil, fmt.Errorf("job %q is defined twice", n.Name)
		}
		byName[n.Name] = i
		stageOf[i] = slices.Index(stages, n.Stage)
		if stageOf[i] < 0 {
			return nil, nil, fmt.Errorf("job %q: stage %q is not one of the stages %v", n.Name, n.Stage, stages)
		}
	}
	deps = make([][]int, len(p.Nodes))
	for i, n := range p.Nodes {
		if !n.NeedsDeclared {
			for j := range p.Nodes {
				if stageOf[j] < stageOf[i] {
					deps[i] = append(deps[i], j)
				}
			}
			continue
		}
		for _, need := range n.Needs {
			j, ok := byName[need.Name]
			if !ok && need.Optional {
				continue
			}
			if !ok {
				return nil, nil, fmt.Errorf("job %q needs %q, which is not in the pipeline", n.Name, need.Name)
			}
			deps[i] = append(deps[i], j)
		}
	}
	if cycle := findCycle(p.Nodes, deps); cycle != "" {
		return nil, nil, fmt.Errorf("jobs wait for each other: %s", cycle)
	}
	return stageOf, deps, nil
}

// findCycle returns "a → b → a" for the first cycle of deps, or "".
func findCycle(nodes []Node, deps [][]int) string {
	const (
		unseen = iota
		onPath
		finished
	)
	mark := make([]int, len(nodes))
	var path []int
	var visit func(i int) string
	visit = func(i int) string {
		mark[i] = onPath
		path = append(path, i)
		for _, j := range deps[i] {
			if mark[j] == onPath {
				s := ""
				for _, k := range path[slices.Index(path, j):] {
					s += nodes[k].Name + " → "
				}
				return s + nodes[j].Name
			}
			if mark[j] == unseen {
				if c := visit(j); c != "" {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		mark[i] = finished
		return ""
	}
	for i := range nodes {
		if mark[i] == unseen {
			if c := visit(i); c != "" {
				return c
			}
		}
	}
	return ""
}
