package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/jobtoken"
)

// LocalJob is one job of a local pipeline: its payload (without a token)
// and how the scheduler treats it (Node.Run is filled in by RunLocal).
type LocalJob struct {
	Payload *job.Payload
	Node    Node
}

// LocalOptions configure a local pipeline run (`jobrun exec`).
type LocalOptions struct {
	Runner   *Runner
	Terminal *Terminal
	// Dir is the working directory of every job.
	Dir string
	// StateRoot is the project directory: one log per job goes to
	// .jobrun/logs/<Pipeline>/ below it, artifacts to
	// .jobrun/artifacts/<Pipeline>/, caches to .jobrun/cache/ (unless the
	// Runner names its own CacheDir). Empty keeps none of them.
	StateRoot string
	Pipeline  string
	Stages    []string
	Schedule  ScheduleOptions
	// Abort, when done, stops running after_scripts too (a second
	// interrupt); the context given to RunLocal cancels only the scripts.
	Abort context.Context
	// OnJobStart, when set, is called as each attempt starts and its end
	// func when the attempt ends (see JobHook).
	OnJobStart JobHook
}

// RunLocal runs jobs as a local pipeline, playing GitLab's part: each
// attempt of each job gets a copy of its payload with a freshly minted
// token, and its trace goes to the terminal and to its log file.
func RunLocal(ctx context.Context, jobs []LocalJob, opts LocalOptions) (Summary, error) {
	warnHostImages(jobs, opts)
	store := &LocalArtifacts{}
	if opts.StateRoot != "" {
		store.Root = filepath.Join(opts.StateRoot, ".jobrun", "artifacts", safeName(opts.Pipeline))
	}
	r := *opts.Runner
	if r.Artifacts == nil {
		r.Artifacts = store
	}
	if r.CacheDir == "" && opts.StateRoot != "" {
		r.CacheDir = filepath.Join(opts.StateRoot, ".jobrun", "cache")
	}
	opts.Runner = &r
	plan := Plan{Stages: opts.Stages}
	sources := artifactSources(jobs, opts.Stages)
	for i, lj := range jobs {
		node := lj.Node
		payload := lj.Payload
		node.Run = func(ctx context.Context, _ int) Result {
			var inherited job.Variables
			var deps []job.Dependency
			for _, from := range sources[i] {
				inherited = append(inherited, store.Dotenv(from)...)
				if store.HasArchive(from) {
					deps = append(deps, job.Dependency{Name: from})
				}
			}
			return runLocalAttempt(ctx, payload, localInputs{inherited, deps}, node.Name, opts)
		}
		plan.Nodes = append(plan.Nodes, node)
	}
	return Schedule(ctx, plan, opts.Schedule)
}

// artifactSources lists, for each job, the jobs whose artifacts it gets,
// as GitLab decides: `dependencies:` when given, else the jobs in
// `needs:`, else every job of the earlier stages — in pipeline order.
func artifactSources(jobs []LocalJob, stages []string) [][]string {
	stageIndex := map[string]int{}
	for _, s := range stages {
		stageIndex[s] = len(stageIndex)
	}
	for _, lj := range jobs {
		if _, ok := stageIndex[lj.Node.Stage]; !ok {
			stageIndex[lj.Node.Stage] = len(stageIndex)
		}
	}
	out := make([][]string, len(jobs))
	for i, lj := range jobs {
		switch {
		case len(lj.Payload.Dependencies) > 0:
			for _, d := range lj.Payload.Dependencies {
				out[i] = append(out[i], d.Name)
			}
		case lj.Node.NeedsDeclared:
			for _, n := range lj.Node.Needs {
				out[i] = append(out[i], n.Name)
			}
		default:
			for _, other := range jobs {
				if stageIndex[other.Node.Stage] < stageIndex[lj.Node.Stage] {
					out[i] = append(out[i], other.Node.Name)
				}
			}
		}
	}
	return out
}

// localInputs is what a job gets from the jobs before it.
type localInputs struct {
	dotenv       job.Variables
	dependencies []job.Dependency
}

func runLocalAttempt(ctx context.Context, template *job.Payload, in localInputs, name string, opts LocalOptions) Result {
	p, err := clonePayload(template)
	if err == nil {
		// Dotenv variables rank above the job's own (GitLab's precedence);
		// the token comes last, so no report can replace it.
		for _, v := range in.dotenv {
			p.Variables.Set(v)
		}
		p.Dependencies = in.dependencies
	}
	if err == nil {
		var token string
		if token, err = jobtoken.Mint(); err == nil {
			jobtoken.Inject(p, token)
		}
	}
	var sinks []io.Writer
	term := opts.Terminal.Job(name)
	defer term.Close()
	sinks = append(sinks, term)
	if err == nil && opts.StateRoot != "" {
		var log *LogFile
		if log, err = CreateLogFile(opts.StateRoot, opts.Pipeline, name); err == nil {
			// Renamed into place after the job, including a canceled one.
			defer log.Close()
			sinks = append(sinks, log)
		}
	}
	if err != nil {
		// Nothing secret is in this message: no token was minted or it
		// was never used.
		fmt.Fprintf(term, "ERROR: preparing the job: %v\n", err)
		return Result{Status: StatusFailed, FailureReason: ReasonSystemFailure}
	}
	j := Job{Payload: p, Dir: opts.Dir, Trace: io.MultiWriter(sinks...), Abort: opts.Abort}
	if opts.OnJobStart != nil {
		notes := &noteWriter{}
		end, err := opts.OnJobStart(p, notes)
		if err != nil {
			fmt.Fprintf(term, "ERROR: preparing the job: %v\n", err)
			return Result{Status: StatusFailed, FailureReason: ReasonSystemFailure}
		}
		defer end()
		j.Attach = notes.attach
	}
	return opts.Runner.Run(ctx, j)
}

// clonePayload deep-copies a payload so that attempts and concurrent
// jobs never share variables.
func clonePayload(p *job.Payload) (*job.Payload, error) {
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("copying the job payload: %w", err)
	}
	var out job.Payload
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("copying the job payload: %w", err)
	}
	return &out, nil
}

// warnHostImages says once that jobs asking for an image run on this
// host instead, with the user's privileges, when the shell executor runs
// them.
func warnHostImages(jobs []LocalJob, opts LocalOptions) {
	var names []string
	for _, lj := range jobs {
		if lj.Payload.Image.Name != "" && executor.Pick(opts.Runner.Executor, lj.Payload).Name() == "shell" {
			names = append(names, lj.Node.Name)
		}
	}
	if len(names) == 0 {
		return
	}
	opts.Terminal.Warn(fmt.Sprintf("%s declare an image: but run with the shell executor, "+
		"directly on this host with your user's privileges and files (use --executor docker to isolate them)",
		strings.Join(names, ", ")))
}
