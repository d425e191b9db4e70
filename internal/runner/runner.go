// Package runner is jobrun's runner core: it runs one job payload on an
// executor, in the step order GitLab Runner uses (prepare, sources,
// cache, artifacts of dependencies, script, after_script, cache,
// artifacts, cleanup), with the job's environment, timeout and
// cancellation, and streams the masked trace to the caller's sinks.
// `jobrun exec` and `jobrun run` share it unchanged. The local side of
// GitLab lives here too: the scheduler (Schedule), RunLocal with its
// artifact store, the terminal sink, the summary and the log files.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// Masker is what the runner needs from a job's masker (internal/masker):
// a streaming filter that learns the job's secrets before any output.
type Masker interface {
	io.Writer
	// AddMasked registers a value that is always masked; it returns a
	// warning to print when the value cannot be masked well.
	AddMasked(name, value string) (warning string)
	// Close releases whatever the masker still holds.
	Close() error
}

// NewMasker makes a job's masker writing to dst; prefixes are the job's
// extra token prefixes (features.token_mask_prefixes).
type NewMasker func(dst io.Writer, prefixes []string) Masker

// DefaultAfterScriptTimeout is GitLab Runner's after_script timeout.
const DefaultAfterScriptTimeout = 5 * time.Minute

// Runner runs jobs. It holds no per-job state, so one Runner may run
// many jobs at once.
type Runner struct {
	Executor  executor.Executor
	NewMasker NewMasker
	// BaseEnv is the environment every job's shell starts from.
	BaseEnv []string
	// TTY runs scripts under a pseudo-terminal.
	TTY bool
	// AfterScriptTimeout bounds after_script; 0 means the default, and the
	// job variable RUNNER_AFTER_SCRIPT_TIMEOUT overrides both.
	AfterScriptTimeout time.Duration
	// Now is the clock of section markers and results (tests fix it).
	Now func() time.Time
	// Version is printed in the trace's first line.
	Version string
	// Artifacts keeps the jobs' `artifacts:`; nil keeps nothing.
	Artifacts Artifacts
	// CacheDir holds `cache:` archives, one per key; empty disables the
	// cache.
	CacheDir string
	// Sources checks out the job's sources into Job.Dir after the
	// executor is prepared (runner mode: git); nil uses the files already
	// there, as `jobrun exec` does.
	Sources GetSources
}

// GetSources brings a job's sources into j.Dir; its messages go to w, the
// job's masked trace. An error fails the job before its script.
type GetSources func(ctx context.Context, j Job, w io.Writer) error

// Job is one job to run.
type Job struct {
	Payload *job.Payload
	// Dir is the job's working directory (CI_PROJECT_DIR).
	Dir string
	// Trace receives the job's masked trace; the caller fans it out to
	// the terminal, the log file or GitLab.
	Trace io.Writer
	// Abort, when done, stops after_script too (a second Ctrl-C);
	// nil lets after_script run to its own timeout.
	Abort context.Context
	// Attach, when set, is given the job's masker once every secret is
	// registered, so that others (the local job API's notes) can write
	// into the masked trace; detach is called before the masker closes.
	Attach func(masked io.Writer) (detach func())
}

// Run runs j to its end and reports how it ended. Cancelling ctx cancels
// the job: its script is stopped, after_script still runs.
func (r *Runner) Run(ctx context.Context, j Job) Result {
	p := j.Payload
	started := r.now()
	// The output chain, in this order:
	//   executor output ─► masker ─► sinks (j.Trace: terminal, log file, GitLab)
	// The runner's own lines and GitLab's section markers are written
	// into the masker as well, in band, so they are masked like everything
	// else and cannot overtake bytes the masker holds. Rendering the
	// sections (headers, prefixes, timestamps, colour) is the sinks' job.
	m := r.NewMasker(j.Trace, p.Features.TokenMaskPrefixes)
	// Every secret is registered before the first byte reaches m.
	warnings := registerSecrets(m, p)
	t := &trace{w: m, now: r.now}
	detach := func() {}
	if j.Attach != nil {
		detach = j.Attach(m)
	}
	for _, w := range warnings {
		t.warning(w)
	}
	t.line(fmt.Sprintf("%sRunning with jobrun %s", ansiClear, r.version()))
	res := r.steps(ctx, t, j)
	res.Started = started
	if res.FailureReason == "" {
		t.success(res.message(jobTimeout(p)))
	} else {
		t.failure(res.message(jobTimeout(p)))
	}
	detach()
	_ = m.Close()
	res.Finished = r.now()
	return res
}

// registerSecrets gives the masker the job token and every masked value,
// including the contents of masked file-type variables.
func registerSecrets(m Masker, p *job.Payload) []string {
	var warnings []string
	add := func(name, value string) {
		if value == "" {
			return
		}
		if w := m.AddMasked(name, value); w != "" {
			warnings = append(warnings, w)
		}
	}
	add("CI_JOB_TOKEN", p.Token)
	for _, v := range p.Variables {
		if v.Masked {
			add(v.Key, v.Value)
		}
	}
	return warnings
}

// steps runs the job's stages in GitLab Runner's order.
func (r *Runner) steps(ctx context.Context, t *trace, j Job) Result {
	p := j.Payload
	jobCtx, cancel := context.WithTimeout(ctx, jobTimeout(p))
	defer cancel()

	// With `--executor auto` each job names the executor it really got.
	ex := executor.Pick(r.Executor, p)
	t.sectionStart(SectionPrepareExecutor, fmt.Sprintf("Preparing the %q executor", ex.Name()))
	session, err := ex.Prepare(jobCtx, executor.Spec{Payload: p, Dir: j.Dir, Files: files(p), TTY: r.TTY})
	if err != nil {
		t.failure("preparing the executor: " + err.Error())
		t.sectionEnd(SectionPrepareExecutor)
		return Result{Status: StatusFailed, FailureReason: ReasonSystemFailure}
	}
	t.line(fmt.Sprintf("Using %s executor with %s...", ex.Name(), session.Shell()))
	t.sectionEnd(SectionPrepareExecutor)

	sourcesErr := r.getSources(jobCtx, t, j)

	runnerVars := []string{"CI_RUNNER_VERSION=" + r.version()}
	if _, ok := p.Variables.Get("CI_JOB_STARTED_AT"); !ok {
		runnerVars = append(runnerVars, "CI_JOB_STARTED_AT="+r.now().UTC().Format(time.RFC3339))
	}
	env := environment(r.BaseEnv, p, j.Dir, session.FilePaths(), runnerVars...)
	r.restoreCache(t, j)
	res := Result{Status: StatusFailed, FailureReason: ReasonSystemFailure}
	// No script runs without its sources or its dependencies' artifacts.
	if sourcesErr == nil && r.downloadArtifacts(jobCtx, t, j) == nil {
		res = r.scriptSteps(ctx, jobCtx, t, session, env, p)
	} else if ctx.Err() != nil {
		res = Result{Status: StatusCanceled, FailureReason: ReasonCanceled}
	}
	r.afterScript(ctx, j.Abort, t, session, env, p, res)
	r.archiveCache(context.WithoutCancel(ctx), t, j, res)
	res = r.uploadArtifacts(ctx, t, j, res)

	t.sectionStart(SectionCleanupFileVars, "Cleaning up project directory and file based variables")
	if err := session.Cleanup(); err != nil {
		t.warning(err.Error())
	}
	t.sectionEnd(SectionCleanupFileVars)
	return res
}

// getSources runs the Sources step in GitLab Runner's get_sources
// section; without one, the job uses its directory as it is.
func (r *Runner) getSources(ctx context.Context, t *trace, j Job) error {
	if r.Sources == nil {
		t.sectionStart(SectionGetSources, "Getting source from the working copy")
		t.line("Using the files in " + j.Dir)
		t.sectionEnd(SectionGetSources)
		return nil
	}
	t.sectionStart(SectionGetSources, "Getting source from Git repository")
	defer t.sectionEnd(SectionGetSources)
	if err := r.Sources(ctx, j, t.w); err != nil {
		t.failure("getting sources: " + err.Error())
		return err
	}
	return nil
}

// scriptSteps runs every step but after_script — "script" (before_script
// and script in one shell session), then e.g. "release" — in its own
// section, stopping at the first that fails.
func (r *Runner) scriptSteps(ctx, jobCtx context.Context, t *trace, s executor.Session, env []string, p *job.Payload) Result {
	for _, step := range p.Steps {
		if step.Name == job.StepAfterScript {
			continue
		}
		section := sectionForStep(step.Name)
		t.sectionStart(section, fmt.Sprintf("Executing %q stage of the job script", section))
		code, err := s.Run(jobCtx, executor.Script{Commands: step.Script, Env: env, Output: t.w})
		res := classify(ctx, jobCtx, code, err)
		switch res.FailureReason {
		case ReasonTimeout:
			t.warning(fmt.Sprintf("%s could not run to completion because the timeout was exceeded.", section))
		case ReasonSystemFailure:
			t.failure(err.Error())
		}
		t.sectionEnd(section)
		if res.Status != StatusSuccess {
			return res
		}
	}
	return Result{Status: StatusSuccess}
}

// classify turns how a script ended into a result. The context says
// why a script was stopped: the job's deadline or the caller's cancel.
func classify(ctx, jobCtx context.Context, code int, err error) Result {
	switch {
	case ctx.Err() != nil:
		return Result{Status: StatusCanceled, ExitCode: code, FailureReason: ReasonCanceled}
	case errors.Is(jobCtx.Err(), context.DeadlineExceeded):
		return Result{Status: StatusFailed, ExitCode: code, FailureReason: ReasonTimeout}
	case err != nil:
		return Result{Status: StatusFailed, ExitCode: code, FailureReason: ReasonSystemFailure}
	case code != 0:
		return Result{Status: StatusFailed, ExitCode: code, FailureReason: ReasonScriptFailure}
	}
	return Result{Status: StatusSuccess}
}

// afterScript runs after_script in a new shell, whatever happened before
// — failure, timeout or cancel — with its own timeout, and never changes
// the job's result.
func (r *Runner) afterScript(ctx, abort context.Context, t *trace, s executor.Session, env []string, p *job.Payload, res Result) {
	step, ok := findStep(p, job.StepAfterScript)
	if !ok || len(step.Script) == 0 {
		return
	}
	t.sectionStart(SectionAfterScript, "Running after_script")
	t.success("Running after script...")
	timeout := r.afterScriptTimeout(p)
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	if abort != nil {
		stop := context.AfterFunc(abort, cancel)
		defer stop()
	}
	env = withVar(env, "CI_JOB_STATUS", string(res.Status))
	code, err := s.Run(actx, executor.Script{Commands: step.Script, Env: env, Output: t.w})
	switch {
	case abort != nil && abort.Err() != nil:
		t.warning("after_script aborted")
	case actx.Err() != nil:
		t.warning(fmt.Sprintf("after_script timed out after %v", timeout))
	case err != nil:
		t.warning("after_script could not run: " + err.Error())
	case code != 0:
		t.warning(fmt.Sprintf("after_script failed, but job will continue unaffected: exit code %d", code))
	}
	t.sectionEnd(SectionAfterScript)
}

func findStep(p *job.Payload, name string) (job.Step, bool) {
	for _, s := range p.Steps {
		if s.Name == name {
			return s, true
		}
	}
	return job.Step{}, false
}

func files(p *job.Payload) []executor.File {
	var out []executor.File
	for k, v := range fileVariables(p) {
		out = append(out, executor.File{Key: k, Content: v})
	}
	return out
}

// jobTimeout is runner_info.timeout, or GitLab Runner's default.
func jobTimeout(p *job.Payload) time.Duration {
	if p.RunnerInfo.Timeout > 0 {
		return time.Duration(p.RunnerInfo.Timeout) * time.Second
	}
	return job.DefaultTimeout * time.Second
}

func (r *Runner) afterScriptTimeout(p *job.Payload) time.Duration {
	if v := p.Variables.Value("RUNNER_AFTER_SCRIPT_TIMEOUT"); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return time.Duration(n) * time.Second
		}
	}
	if r.AfterScriptTimeout > 0 {
		return r.AfterScriptTimeout
	}
	return DefaultAfterScriptTimeout
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) version() string {
	if r.Version != "" {
		return r.Version
	}
	return "dev"
}
