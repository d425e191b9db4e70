package runnermode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitsource"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/masker"
	"github.com/jobrun/jobrun/internal/runner"
)

// JobEnd is how one job went, for the serve loop and --once.
type JobEnd struct {
	ID int64
	// State is client.StateSuccess or client.StateFailed as reported;
	// "" when the job was not taken or GitLab dropped it.
	State  string
	Reason string
}

// runJob runs one accepted-or-not job payload to its final update. ctx is
// the interrupt context (SIGINT cancels it); network calls use a context
// that outlives it, so an interrupted job is still reported.
func (s *service) runJob(ctx context.Context, w *worker, slot int, p *job.Payload) JobEnd {
	defer forget(p)
	net := context.WithoutCancel(ctx)
	end := JobEnd{ID: p.ID}
	acceptErr := w.client.AcceptJob(net, p)
	if acceptErr != nil && !errors.Is(acceptErr, client.ErrJobCanceling) {
		s.logf("runner %s: job %d not taken: %v", w.spec.label(), p.ID, acceptErr)
		return end
	}
	s.logf("runner %s: running job %d (%s)", w.spec.label(), p.ID, p.JobInfo.Name)

	// Contexts of a job: stop cancels the script (after_script still
	// runs) on GitLab's "canceling" or on SIGINT; abort stops everything
	// at once on 403 or "canceled"/"failed".
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	abortCtx, abort := context.WithCancel(net)
	defer abort()
	var canceledByGitLab atomic.Bool // set on the uploader's goroutine
	topts := s.opts.Trace
	topts.OutputLimit = w.spec.OutputLimit
	topts.TempDir = s.opts.TempDir
	topts.OnCancel = func() { canceledByGitLab.Store(true); stop() }
	topts.OnAbort = func() { abort(); stop() }
	trace := w.client.NewTrace(net, p, topts)

	arts := &remoteArtifacts{c: w.client, tempDir: s.opts.TempDir}
	r := w.core(p, arts, s.opts)
	dir, err := w.spec.jobDir(slot, p)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	var result client.Result
	switch {
	case acceptErr != nil: // canceled before it started: report it, run nothing
		result = refuse(trace, p, "the job was canceled before it started", client.ReasonJobCanceled)
	case p.Run != "":
		// step-runner jobs (`run:`) are not implemented; run_steps is not advertised either.
		result = refuse(trace, p, "this job uses run: (step-runner steps), which jobrun does not run", client.ReasonRunnerUnsupported)
	case err != nil:
		result = refuse(trace, p, "job directory: "+err.Error(), client.ReasonRunnerSystemFailure)
	default:
		res := r.Run(stopCtx, runner.Job{Payload: p, Dir: dir, Trace: s.sink(trace), Abort: abortCtx})
		result = finalResult(res, ctx.Err() != nil, canceledByGitLab.Load(), arts.missing)
	}
	if err := trace.Finish(net, result); err != nil {
		if errors.Is(err, client.ErrJobAborted) {
			s.logf("runner %s: job %d aborted by GitLab", w.spec.label(), p.ID)
		} else {
			s.logf("runner %s: job %d: final update: %v", w.spec.label(), p.ID, err)
		}
		return end
	}
	end.State, end.Reason = result.State, result.FailureReason
	s.logf("runner %s: job %d finished: %s", w.spec.label(), p.ID, describe(result))
	return end
}

// refuse fails a job that cannot run, saying why in its trace (masked
// like everything else).
func refuse(trace io.Writer, p *job.Payload, why, reason string) client.Result {
	m := newJobMasker(trace, p)
	fmt.Fprintf(m, "\x1b[31;1mERROR: %s\x1b[0;m\n", why)
	_ = m.Close()
	return client.Result{State: client.StateFailed, FailureReason: reason}
}

// forget drops the job's credentials from the payload once GitLab has
// its final update: the token lives only for the job's duration.
func forget(p *job.Payload) {
	p.Token = ""
	p.GitInfo.RepoURL = ""
	for i := range p.Dependencies {
		p.Dependencies[i].Token = ""
	}
	p.Variables = nil
	p.Credentials = nil
}

// finalResult turns the runner core's result into the final update:
// an interrupted runner says runner_interrupted, a job GitLab canceled
// says job_canceled (both are failed to GitLab).
func finalResult(res runner.Result, interrupted, canceled, missingDep bool) client.Result {
	if res.Status == runner.StatusSuccess {
		return client.Result{State: client.StateSuccess}
	}
	out := client.Result{State: client.StateFailed, ExitCode: res.ExitCode, FailureReason: res.FailureReason}
	switch {
	case interrupted:
		out.FailureReason = client.ReasonRunnerInterrupted
	case canceled || res.Status == runner.StatusCanceled:
		out.FailureReason = client.ReasonJobCanceled
	case missingDep && res.FailureReason == runner.ReasonSystemFailure:
		out.FailureReason = client.ReasonMissingDependency
	case res.FailureReason == runner.ReasonTimeout:
		out.FailureReason = client.ReasonJobExecutionTimeout
	case res.FailureReason == runner.ReasonUnknown:
		out.FailureReason = client.ReasonUnknownFailure
	}
	return out
}

func describe(r client.Result) string {
	if r.State == client.StateSuccess {
		return "success"
	}
	return fmt.Sprintf("failed (%s, exit code %d)", r.FailureReason, r.ExitCode)
}

// newJobMasker is a fresh masker for one job that knows every secret of
// the payload (client.Secrets: the job token, masked variables, the
// dependencies' tokens, registry passwords) before it sees a byte.
func newJobMasker(dst io.Writer, p *job.Payload) *masker.Masker {
	m := masker.New(dst, masker.Options{Prefixes: p.Features.TokenMaskPrefixes})
	for i, secret := range client.Secrets(p) {
		_ = m.AddMasked("secret "+strconv.Itoa(i+1), secret) // GitLab's values are masked however short
	}
	return m
}

// sink is where a job's masked trace goes: GitLab, and with -v the
// terminal too (whole writes, so concurrent jobs do not interleave
// mid-write).
func (s *service) sink(trace *client.Trace) io.Writer {
	if s.opts.Terminal == nil {
		return trace
	}
	return io.MultiWriter(trace, &lockedWriter{mu: &s.termMu, w: s.opts.Terminal})
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	_, _ = l.w.Write(b) // a broken terminal must not fail the job
	return len(b), nil
}

// jobDir is <builds_dir>/<runner>/<slot>/<namespace>/<project>, as GitLab
// Runner lays it out: concurrent jobs of one project get their own copies.
func (r RunnerSpec) jobDir(slot int, p *job.Payload) (string, error) {
	project := p.JobInfo.ProjectFullPath
	if project == "" {
		project = "project-" + strconv.FormatInt(p.JobInfo.ProjectID, 10)
	}
	clean := filepath.Clean("/" + project)
	if clean == "/" || strings.Contains(project, "..") || strings.ContainsRune(project, 0) {
		return "", fmt.Errorf("project path %q is not a safe directory name", project)
	}
	return filepath.Join(r.BuildsDir, r.dirName(), strconv.Itoa(slot), clean), nil
}

// getSources is the runner core's Sources step: git with the job token
// in an environment-scoped credential helper (gitsource).
func getSources(env []string) runner.GetSources {
	return func(ctx context.Context, j runner.Job, w io.Writer) error {
		o, err := gitsource.FromPayload(j.Payload, j.Dir, w)
		if err != nil {
			return err
		}
		o.Env = env
		return gitsource.Get(ctx, o)
	}
}
