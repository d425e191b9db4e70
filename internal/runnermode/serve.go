// Package runnermode is `jobrun run`: it serves one or more GitLab runners
// at once — verify each runner's glrt- token, ask for jobs with GitLab's
// long poll, and run each job through the runner core (internal/runner)
// with its trace going to GitLab (internal/client) through a fresh masker
// that knows the job's secrets before anything runs.
//
// Concurrency follows config.toml: `concurrent` bounds the jobs of all
// runners, `limit` those of one. Stopping follows GitLab Runner: a
// graceful stop (SIGTERM, SIGQUIT) stops asking for jobs and lets the
// running ones finish; an interrupt (SIGINT, the context) cancels them —
// after_script still runs — and reports them failed with
// runner_interrupted. Every job that started gets a final update whenever
// the network allows it.
package runnermode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/runner"
)

// DefaultCheckInterval is how long a runner waits after "no job" before it
// asks again, when GitLab answered at once (no long poll), as GitLab
// Runner's check_interval.
const DefaultCheckInterval = 3 * time.Second

// RunnerSpec is one [[runners]] entry (or --url/--token).
type RunnerSpec struct {
	Name  string
	URL   string
	Token string // the runner authentication token; never printed
	// Executor runs the jobs; ExecutorName is "shell" or "docker".
	Executor executor.Executor
	// Limit bounds this runner's jobs at once; 0 means no own limit.
	Limit int
	// BuildsDir holds the jobs' working copies; CacheDir the host-local
	// caches (empty: no cache).
	BuildsDir, CacheDir string
	// Environment are extra job variables (KEY=VALUE).
	Environment []string
	// DefaultImage is the image of jobs that name none (docker).
	DefaultImage string
	// OutputLimit is the most trace bytes per job; 0 means 4 MiB.
	OutputLimit int64
	// BaseEnv is the environment the shell and git start from.
	BaseEnv []string
	// Features are what this runner's executor adds to the protocol's.
	Features client.Features
}

// label names a runner in messages: its name, or its token's prefix.
func (r RunnerSpec) label() string {
	if r.Name != "" {
		return r.Name
	}
	return TokenHint(r.Token)
}

// dirName is the runner's directory below BuildsDir: a short form of
// its token, as GitLab Runner's builds/<short token>/ (never the whole).
func (r RunnerSpec) dirName() string {
	t := strings.TrimPrefix(r.Token, "glrt-")
	if len(t) > 8 {
		t = t[:8]
	}
	return safeName(t)
}

// TokenHint shows a token without revealing it: its prefix up to the
// first "-" and its length, e.g. "glrt-… (26 characters)".
func TokenHint(token string) string {
	prefix := ""
	if i := strings.IndexByte(token, '-'); i > 0 && i <= 8 {
		prefix = token[:i+1]
	}
	return fmt.Sprintf("%s… (%d characters)", prefix, len(token))
}

// Options configure Serve.
type Options struct {
	Runners []RunnerSpec
	// Concurrent bounds the jobs of all runners at once; 0 means 1.
	Concurrent int
	// Once takes one job, runs it and returns.
	Once bool
	// Graceful, when closed, stops asking for jobs; running ones finish.
	Graceful <-chan struct{}
	Version  string
	// SystemID is sent with every request (client.LoadSystemID).
	SystemID string
	// Log receives the runner's own messages (never a token); Terminal,
	// when set (-v), also gets every job's masked trace.
	Log      io.Writer
	Terminal io.Writer
	// TempDir holds the jobs' private files (0600); empty: os.TempDir().
	TempDir string
	// CheckInterval, HTTP, Retry and Trace tune the protocol (tests).
	CheckInterval time.Duration
	HTTP          client.Doer
	Retry         client.RetryPolicy
	Trace         client.TraceOptions
	// Now is the clock of the jobs' section markers (tests fix it).
	Now func() time.Time
}

// Summary counts the jobs Serve ran; Last is the last job's end (--once).
type Summary struct {
	Succeeded, Failed, Dropped int
	Last                       JobEnd
}

// Success reports whether the last job (the only one with --once) passed.
func (s Summary) Success() bool { return s.Last.State == client.StateSuccess }

// service is one Serve call: the runners, the shared job slots, the log.
type service struct {
	opts   Options
	global chan struct{} // one token per running job (concurrent)
	logMu  sync.Mutex
	termMu sync.Mutex

	mu      sync.Mutex
	summary Summary
}

// worker is one runner: its client and its own job slots (limit).
type worker struct {
	spec   RunnerSpec
	client *client.Client
	slots  chan int // free slot numbers; each job's directory uses one
}

// Serve runs the runners until ctx is done (interrupt), Graceful is
// closed and the running jobs ended, or with Once after one job.
func Serve(ctx context.Context, opts Options) (Summary, error) {
	if len(opts.Runners) == 0 {
		return Summary{}, errors.New("no runner to serve")
	}
	s := &service{opts: opts, global: make(chan struct{}, max(opts.Concurrent, 1))}
	workers, err := s.workers(ctx)
	if err != nil {
		return Summary{}, err
	}
	// stopAsking ends the request loops: graceful stop, interrupt, or
	// --once after the first job.
	askCtx, stopAsking := context.WithCancel(ctx)
	defer stopAsking()
	if opts.Graceful != nil {
		go func() {
			select {
			case <-opts.Graceful:
				s.logf("graceful stop: no new jobs; waiting for the running ones")
				stopAsking()
			case <-askCtx.Done():
			}
		}()
	}
	var jobs, loops sync.WaitGroup
	for _, w := range workers {
		loops.Go(func() { s.loop(ctx, askCtx, stopAsking, w, &jobs) })
	}
	loops.Wait()
	jobs.Wait()
	return s.summary, nil
}

// workers verifies every runner and builds its client.
func (s *service) workers(ctx context.Context) ([]*worker, error) {
	var out []*worker
	for _, spec := range s.opts.Runners {
		features := client.ProtocolFeatures()
		mergeFeatures(&features, spec.Features)
		c, err := client.New(client.Options{
			URL: spec.URL, Version: s.opts.Version, HTTP: s.opts.HTTP, Retry: s.opts.Retry,
			Info: client.Info{Executor: spec.Executor.Name(), Features: features},
		})
		if err != nil {
			return nil, err
		}
		if strings.HasPrefix(spec.Token, "glrt-") {
			if _, _, err := c.VerifyRunner(ctx, spec.Token, s.opts.SystemID); err != nil {
				return nil, fmt.Errorf("runner %s: verify: %w", spec.label(), err)
			}
		} else {
			s.logf("WARNING: runner %s: token %s is not a glrt- authentication token; not verified", spec.label(), TokenHint(spec.Token))
		}
		limit := spec.Limit
		if limit <= 0 {
			limit = max(s.opts.Concurrent, 1)
		}
		w := &worker{spec: spec, client: c, slots: make(chan int, limit)}
		for i := range limit {
			w.slots <- i
		}
		out = append(out, w)
	}
	return out, nil
}

// loop asks for jobs while a slot is free and starts each job it gets.
func (s *service) loop(ctx, askCtx context.Context, stopAsking func(), w *worker, jobs *sync.WaitGroup) {
	for {
		slot, ok := s.acquire(askCtx, w)
		if !ok {
			return
		}
		p, err := s.request(askCtx, w)
		if p == nil {
			s.release(w, slot)
			if askCtx.Err() != nil {
				return
			}
			s.pause(askCtx, err)
			continue
		}
		if s.opts.Once {
			stopAsking()
		}
		jobs.Go(func() {
			defer s.release(w, slot)
			s.record(s.runJob(ctx, w, slot, w.spec.prepare(p)))
		})
		if s.opts.Once {
			return
		}
	}
}

// request asks GitLab for one job; nil without a job or on an error,
// which is logged (without the token: client errors never hold it).
func (s *service) request(ctx context.Context, w *worker) (*job.Payload, error) {
	p, _, err := w.client.RequestJob(ctx, w.spec.Token, s.opts.SystemID)
	if err != nil && ctx.Err() == nil {
		s.logf("runner %s: asking for a job: %v", w.spec.label(), err)
	}
	return p, err
}

// pause waits before the next request when GitLab did not hold it (no
// long poll) or failed, so a runner does not hammer it.
func (s *service) pause(ctx context.Context, err error) {
	d := s.opts.CheckInterval
	if d == 0 {
		d = DefaultCheckInterval
	}
	if err != nil {
		d = max(d, time.Second)
	}
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func (s *service) acquire(ctx context.Context, w *worker) (int, bool) {
	select {
	case s.global <- struct{}{}:
	case <-ctx.Done():
		return 0, false
	}
	select {
	case slot := <-w.slots:
		return slot, true
	case <-ctx.Done():
		<-s.global
		return 0, false
	}
}

func (s *service) release(w *worker, slot int) {
	w.slots <- slot
	<-s.global
}

func (s *service) record(e JobEnd) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch e.State {
	case client.StateSuccess:
		s.summary.Succeeded++
	case client.StateFailed:
		s.summary.Failed++
	default:
		s.summary.Dropped++
	}
	s.summary.Last = e
}

func (s *service) logf(format string, a ...any) {
	if s.opts.Log == nil {
		return
	}
	s.logMu.Lock()
	defer s.logMu.Unlock()
	fmt.Fprintf(s.opts.Log, format+"\n", a...)
}

// core is the runner core for one job of this runner.
func (w *worker) core(p *job.Payload, arts runner.Artifacts, opts Options) *runner.Runner {
	return &runner.Runner{
		Executor: w.spec.Executor,
		NewMasker: func(dst io.Writer, _ []string) runner.Masker {
			return newJobMasker(dst, p)
		},
		BaseEnv:   w.spec.BaseEnv,
		Version:   opts.Version,
		Now:       opts.Now,
		Artifacts: arts,
		CacheDir:  w.spec.CacheDir,
		Sources:   getSources(w.spec.BaseEnv),
	}
}
