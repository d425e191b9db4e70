package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/jobrun/jobrun/internal/job"
)

// Defaults of TraceOptions, as GitLab Runner has them.
const (
	DefaultUpdateInterval    = 3 * time.Second
	MaxUpdateInterval        = 15 * time.Minute
	DefaultForceSendInterval = 30 * time.Second
	DefaultOutputLimit       = 4 << 20
	DefaultFinalRetryLimit   = 10
	defaultTraceMemory       = 4 << 20
)

// TraceOptions tune a Trace; the zero value is GitLab Runner's behaviour.
type TraceOptions struct {
	// OutputLimit is the most log bytes kept and sent; later output is
	// dropped after one "Job's log exceeded limit" line. 0 means 4 MiB.
	OutputLimit int64
	// MemoryLimit is how many trace bytes stay in memory before the trace
	// moves to a private temp file (in TempDir). 0 means 4 MiB.
	MemoryLimit int
	TempDir     string
	// UpdateInterval is the first PATCH interval (3 s); GitLab's
	// X-GitLab-Trace-Update-Interval replaces it, capped at
	// MaxUpdateInterval (15 min).
	UpdateInterval    time.Duration
	MaxUpdateInterval time.Duration
	// ForceSendInterval: with nothing new to send for this long, the
	// uploader sends a keep-alive PUT state=running (30 s).
	ForceSendInterval time.Duration
	// FinalRetryLimit bounds the attempts of the final update (10), which
	// back off from FinalBackoffMin (1 s) to FinalBackoffMax (60 min).
	FinalRetryLimit                  int
	FinalBackoffMin, FinalBackoffMax time.Duration
	// OnCancel runs once when GitLab answers Job-Status: canceling: stop
	// the script gracefully (after_script still runs). Both callbacks run
	// on the uploader's goroutine: they must return quickly and must not
	// call Finish (cancel a context, close a channel).
	OnCancel func()
	// OnAbort runs once when GitLab answers 403 or Job-Status canceled or
	// failed: stop everything at once; Finish then reports nothing.
	OnAbort func()
	// Debug sets debug_trace=true on the PATCH requests (CI_DEBUG_TRACE).
	Debug bool
}

func (o *TraceOptions) setDefaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.UpdateInterval, DefaultUpdateInterval)
	def(&o.MaxUpdateInterval, MaxUpdateInterval)
	def(&o.ForceSendInterval, DefaultForceSendInterval)
	def(&o.FinalBackoffMin, time.Second)
	def(&o.FinalBackoffMax, 60*time.Minute)
	if o.OutputLimit <= 0 {
		o.OutputLimit = DefaultOutputLimit
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = defaultTraceMemory
	}
	if o.FinalRetryLimit <= 0 {
		o.FinalRetryLimit = DefaultFinalRetryLimit
	}
}

// Trace is the io.Writer the runner core writes a job's masked trace
// into. It keeps every byte (see traceBuffer), sends new bytes to GitLab
// in the background at GitLab's update interval, reacts to cancel and
// abort answers, and sends the final job update in Finish. Write never
// waits for the network.
type Trace struct {
	c     *Client
	id    int64
	token string
	// failureReasons are the job's features.failure_reasons.
	failureReasons []string
	opts           TraceOptions

	mu       sync.Mutex
	buf      *traceBuffer
	sent     int64 // bytes GitLab has acknowledged
	interval time.Duration
	lastSend time.Time
	exceeded bool
	finished bool
	notFound bool // 404 on PATCH: stop sending the trace
	aborted  bool
	canceled bool
	chunk    []byte

	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

// NewTrace starts the trace uploader of job p; ctx bounds the background
// sending. Call Finish exactly once when the job is over.
func (c *Client) NewTrace(ctx context.Context, p *job.Payload, opts TraceOptions) *Trace {
	opts.setDefaults()
	t := &Trace{
		c: c, id: p.ID, token: p.Token, failureReasons: p.Features.FailureReasons, opts: opts,
		buf:      newTraceBuffer(opts.MemoryLimit, opts.TempDir),
		interval: opts.UpdateInterval,
		lastSend: time.Now(),
		stop:     make(chan struct{}),
		done:     make(chan struct{}),
	}
	go t.loop(ctx)
	return t
}

// Write appends masked trace bytes. Past the output limit it writes the
// limit notice once and drops the rest, still reporting len(p) so the
// job's output is not interrupted.
func (t *Trace) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.finished {
		return 0, errors.New("trace: write after Finish")
	}
	if t.exceeded {
		return len(p), nil
	}
	room := t.opts.OutputLimit - t.buf.size
	if int64(len(p)) <= room {
		return t.buf.Write(p)
	}
	if _, err := t.buf.Write(p[:room]); err != nil {
		return 0, err
	}
	t.exceeded = true
	if _, err := t.buf.Write([]byte(LimitNotice(t.opts.OutputLimit))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// LimitNotice is the line that ends a trace cut at limit bytes, as GitLab
// Runner writes it (bold yellow).
func LimitNotice(limit int64) string {
	return fmt.Sprintf("\n\x1b[33;1mJob's log exceeded limit of %d bytes.\n"+
		"Job execution will continue but no more output will be collected.\x1b[0;m\n", limit)
}

// Checksum returns "crc32:%08x" of every trace byte and their count.
func (t *Trace) Checksum() (string, int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.checksumLocked()
}

func (t *Trace) checksumLocked() (string, int64) {
	return fmt.Sprintf("crc32:%08x", t.buf.crc), t.buf.size
}

// loop sends new trace bytes once per update interval until Finish.
func (t *Trace) loop(ctx context.Context) {
	defer close(t.done)
	for {
		timer := time.NewTimer(t.currentInterval())
		select {
		case <-t.stop:
			timer.Stop()
			return
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		}
		t.incrementalUpdate(ctx)
	}
}

func (t *Trace) currentInterval() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.interval
}

// incrementalUpdate sends one chunk of new bytes, or a keep-alive when
// nothing was sent for ForceSendInterval.
func (t *Trace) incrementalUpdate(ctx context.Context) {
	offset, chunk, stopped := t.nextChunk()
	if stopped {
		return
	}
	if len(chunk) == 0 {
		if time.Since(t.lastSendTime()) >= t.opts.ForceSendInterval {
			t.touch(ctx)
		}
		return
	}
	r, err := t.c.PatchTrace(ctx, t.id, t.token, offset, chunk, t.opts.Debug)
	if err != nil {
		return // transport failure: the next tick tries again
	}
	_ = t.handlePatch(r, offset, len(chunk))
}

// nextChunk copies up to MaxPatchSize unsent bytes. stopped is true once
// the job was aborted or GitLab said the trace is gone (404).
func (t *Trace) nextChunk() (offset int64, chunk []byte, stopped bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.aborted || t.notFound {
		return 0, nil, true
	}
	n := min(t.buf.size-t.sent, MaxPatchSize)
	if n <= 0 {
		return t.sent, nil, false
	}
	if t.chunk == nil {
		t.chunk = make([]byte, MaxPatchSize)
	}
	got, err := t.buf.ReadAt(t.chunk[:n], t.sent)
	if err != nil && got < int(n) {
		return t.sent, nil, false
	}
	return t.sent, t.chunk[:n], false
}

func (t *Trace) lastSendTime() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lastSend
}

// errRangeMismatch: GitLab holds a different number of bytes (416); the
// offset has been reset to what it holds.
var errRangeMismatch = errors.New("trace range mismatch")

// handlePatch applies a PATCH answer: 202 advances the offset, 416 moves
// it to the server's size, 403 / canceled / failed abort the job,
// canceling asks for a graceful cancel, 404 stops sending.
func (t *Trace) handlePatch(r *Response, offset int64, n int) error {
	t.mu.Lock()
	t.followInterval(r)
	var err error
	switch {
	case abortStatus(r) && r.StatusCode != http.StatusNotFound:
		err = ErrJobAborted
	case r.StatusCode == http.StatusAccepted:
		t.sent = offset + int64(n)
		t.lastSend = time.Now()
	case r.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		err = errRangeMismatch
		if size, perr := ParseRange(r.Header.Get("Range")); perr == nil && size <= t.buf.size {
			t.sent = size
		} else {
			err = fmt.Errorf("trace: 416 with unusable Range %q", r.Header.Get("Range"))
		}
	case r.StatusCode == http.StatusNotFound:
		t.notFound = true
	default:
		err = apiError("patch trace", r.StatusCode)
	}
	t.mu.Unlock()
	t.react(r, err)
	return err
}

// followInterval adopts GitLab's update interval, capped.
func (t *Trace) followInterval(r *Response) {
	if r.UpdateInterval > 0 {
		t.interval = min(r.UpdateInterval, t.opts.MaxUpdateInterval)
	}
}

// react runs the cancel and abort callbacks, each at most once.
func (t *Trace) react(r *Response, err error) {
	t.mu.Lock()
	abort := errors.Is(err, ErrJobAborted) && !t.aborted
	cancel := r.JobStatus == JobStatusCanceling && !t.canceled && !abort
	t.aborted = t.aborted || abort
	t.canceled = t.canceled || cancel
	t.mu.Unlock()
	if abort && t.opts.OnAbort != nil {
		t.opts.OnAbort()
	}
	if cancel && t.opts.OnCancel != nil {
		t.opts.OnCancel()
	}
}

// touch is the keep-alive: PUT state=running with the trace summary, to
// learn about a cancel or abort while the job prints nothing.
func (t *Trace) touch(ctx context.Context) {
	sum, size := t.Checksum()
	r, err := t.c.UpdateJob(ctx, t.id, t.token, JobUpdate{State: StateRunning, Output: &JobOutput{Checksum: sum, Bytesize: size}})
	if r == nil {
		return
	}
	t.mu.Lock()
	t.lastSend = time.Now()
	t.followInterval(r)
	t.mu.Unlock()
	if abortStatus(r) {
		err = ErrJobAborted
	}
	t.react(r, err)
}
