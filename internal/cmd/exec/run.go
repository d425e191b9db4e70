package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/executor/docker"
	"github.com/jobrun/jobrun/internal/masker"
	"github.com/jobrun/jobrun/internal/pipeline"
	"github.com/jobrun/jobrun/internal/runner"
	"github.com/jobrun/jobrun/internal/workcopy"
)

// runJobs runs the plan: it picks the executors, prepares the working
// copy, hands the jobs to runner.RunLocal and prints the summary. The
// exit code says how the pipeline ended (DESIGN.md).
func runJobs(ctx context.Context, opts *Options, plan *pipeline.Plan) error {
	jobs, notes := localJobs(plan)
	for _, n := range notes {
		fmt.Fprintf(opts.IO.ErrOut, "jobrun: %s\n", n)
	}
	if len(jobs) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "jobrun: no job to run")
		return nil
	}
	ex, closeExecutor, err := newExecutor(ctx, opts, plan)
	if err != nil {
		return err
	}
	defer closeExecutor()
	project, err := filepath.Abs(opts.Dir)
	if err != nil {
		return cmdutil.AsBadInput(err)
	}
	id := pipelineID(plan)
	dir, err := workingCopy(ctx, opts, project, id)
	if err != nil {
		return err
	}
	api, out, err := serveAPI(opts, project, id, jobs, ex)
	if err != nil {
		return err
	}
	defer api.close()
	color := opts.IO.ColorEnabled()
	r := &runner.Runner{
		Executor: ex,
		NewMasker: func(dst io.Writer, prefixes []string) runner.Masker {
			return masker.New(dst, masker.Options{Prefixes: prefixes})
		},
		BaseEnv: runner.HostEnv(),
		TTY:     opts.TTY || opts.IO.IsStdoutTTY(),
		Version: opts.Version,
	}
	// The first Ctrl-C / SIGTERM cancels ctx (root.Main): scripts stop,
	// after_scripts run. A second one aborts the after_scripts too.
	abort, stopAbort := abortOnSecondSignal()
	defer stopAbort()
	api.runDownstream(opts, r, out, abort)
	sum, err := runner.RunLocal(ctx, jobs, runner.LocalOptions{
		Runner: r,
		Terminal: runner.NewTerminal(out, runner.TerminalOptions{
			Color: color, Timestamps: opts.Timestamps, NameWidth: nameWidth(jobs),
		}),
		Dir: dir, StateRoot: project, Pipeline: id, Stages: plan.Stages,
		Schedule: runner.ScheduleOptions{Concurrency: concurrency(opts), Manual: opts.Jobs},
		Abort:    abort, OnJobStart: api.hook(),
	})
	if err != nil {
		return cmdutil.AsBadInput(err)
	}
	if err := runner.WriteSummary(opts.IO.Out, sum, color); err != nil {
		return err
	}
	switch {
	case sum.Interrupted || ctx.Err() != nil:
		return cmdutil.Silent(cmdutil.ExitInterrupted)
	case sum.Failed():
		return cmdutil.Silent(cmdutil.ExitFailure)
	}
	return nil
}

// newExecutor returns the executor of --executor: shell, docker, or
// auto (docker for jobs with an image, shell for the others). Docker is
// only connected to when some job will use it.
func newExecutor(ctx context.Context, opts *Options, plan *pipeline.Plan) (executor.Executor, func(), error) {
	shell := &executor.Shell{}
	dopts := docker.Options{
		Host: opts.DockerHost, PullPolicy: opts.PullPolicy, Privileged: opts.Privileged,
		Volumes: opts.Volumes, Network: opts.Network, Warnings: opts.IO.ErrOut,
	}
	if err := dopts.Validate(); err != nil {
		return nil, nil, cmdutil.AsBadInput(err)
	}
	useDocker := opts.Executor == "docker" || (opts.Executor == "auto" && hasImage(plan))
	if !useDocker {
		if opts.Privileged {
			fmt.Fprintln(opts.IO.ErrOut, "jobrun: warning: --privileged has no effect: no job runs in a container")
		}
		return shell, func() {}, nil
	}
	if opts.Executor == "docker" {
		for _, j := range plan.Jobs {
			if j.Payload.Image.Name == "" && j.Trigger == nil {
				return nil, nil, cmdutil.BadInput("job %q has no image: the docker executor needs one "+
					"(add image: to the job or default:, or use --executor auto to run it with the shell)", j.Name)
			}
		}
	}
	printWarnings(opts.IO.ErrOut, dockerWarnings(opts))
	d, err := docker.New(ctx, dopts)
	if errors.Is(err, docker.ErrNoEngine) {
		return nil, nil, cmdutil.AsBadInput(err)
	}
	if err != nil {
		return nil, nil, cmdutil.AsBadInput(err)
	}
	// What a jobrun that crashed left behind goes first; live runs keep
	// theirs (docker.RemoveLeftovers checks the owner process).
	if left, err := d.RemoveLeftovers(ctx); err != nil {
		fmt.Fprintf(opts.IO.ErrOut, "jobrun: warning: removing leftover containers: %v\n", err)
	} else if opts.Verbose {
		fmt.Fprintf(opts.IO.ErrOut, "jobrun: leftovers of crashed runs removed: %+v\n", left)
	}
	closeDocker := func() { _ = d.Close() }
	if opts.Executor == "docker" {
		return d, closeDocker, nil
	}
	return executor.ByImage{Shell: shell, Docker: d}, closeDocker, nil
}

// workingCopy returns the jobs' directory: the project itself with
// --in-place, else .jobrun/builds/<pipeline>/ synced from the project's
// git-tracked and untracked-not-ignored files.
func workingCopy(ctx context.Context, opts *Options, project, id string) (string, error) {
	if opts.InPlace {
		return project, nil
	}
	dir := filepath.Join(project, workcopy.StateDir, "builds", id)
	stats, err := workcopy.Sync(ctx, project, dir)
	if err != nil {
		return "", cmdutil.BadInput("preparing the working copy: %v (jobrun exec copies a git work tree's files; "+
			"outside a git repository use --in-place)", err)
	}
	if opts.Verbose {
		fmt.Fprintf(opts.IO.ErrOut, "jobrun: working copy %s: %d files, %d copied, %d removed\n",
			dir, stats.Files, stats.Copied, stats.Removed)
	}
	return dir, nil
}

func concurrency(opts *Options) int {
	if opts.Concurrency > 0 {
		return opts.Concurrency
	}
	return runtime.NumCPU()
}

func nameWidth(jobs []runner.LocalJob) int {
	w := 0
	for _, j := range jobs {
		w = max(w, len(j.Node.Name))
	}
	return w
}

// abortOnSecondSignal returns a context that is canceled by the second
// SIGINT/SIGTERM; root.Main's context already reacts to the first.
func abortOnSecondSignal() (context.Context, func()) {
	abort, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		seen := 0
		for {
			select {
			case <-sigs:
				if seen++; seen >= 2 {
					cancel()
				}
			case <-done:
				return
			}
		}
	}()
	return abort, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
