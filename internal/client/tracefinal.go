package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Result is how a job ended, for the final update.
type Result struct {
	// State is StateSuccess or StateFailed.
	State string
	// ExitCode of the script, sent with a failure (0 is omitted).
	ExitCode int
	// FailureReason of a failure, e.g. ReasonScriptFailure; it is
	// restricted to the job's features.failure_reasons before sending.
	FailureReason string
}

// maxAcceptedRounds bounds 202 answers to one final update; GitLab
// finalises by itself after 5 minutes, so this is only a guard.
const maxAcceptedRounds = 1000

// maxResyncs bounds 416 answers in a row while catching up.
const maxResyncs = 10

// Finish stops the background sending, makes sure GitLab holds every
// trace byte, and reports res with PUT /jobs/:id until GitLab confirms
// (200). 202 waits the update interval and repeats; 412 resends the whole
// trace; other failures are retried with backoff up to FinalRetryLimit
// times. It returns ErrJobAborted without reporting when GitLab dropped
// the job. The trace's temp file is removed in every case.
func (t *Trace) Finish(ctx context.Context, res Result) error {
	t.stopOnce.Do(func() { close(t.stop) })
	<-t.done
	t.mu.Lock()
	if t.finished {
		t.mu.Unlock()
		return errors.New("trace: Finish called twice")
	}
	t.finished = true
	t.interval = t.opts.UpdateInterval
	aborted := t.aborted
	t.mu.Unlock()
	defer t.close()
	if aborted {
		return ErrJobAborted
	}
	update := JobUpdate{State: res.State}
	if res.State == StateFailed {
		update.ExitCode = res.ExitCode
		update.FailureReason = FailureReason(res.FailureReason, t.failureReasons)
		if update.FailureReason == "" {
			update.FailureReason = ReasonUnknownFailure
		}
	}
	var err error
	for attempt := 1; attempt <= t.opts.FinalRetryLimit; attempt++ {
		if err = t.finalUpdate(ctx, update); err == nil || errors.Is(err, ErrJobAborted) {
			return err
		}
		if attempt == t.opts.FinalRetryLimit {
			break
		}
		wait := min(t.opts.FinalBackoffMin<<min(attempt-1, 30), t.opts.FinalBackoffMax)
		if !sleep(ctx, wait) {
			return fmt.Errorf("final update of job %d: %w (last error: %v)", t.id, ctx.Err(), err)
		}
	}
	return fmt.Errorf("final update of job %d: giving up after %d attempts: %w", t.id, t.opts.FinalRetryLimit, err)
}

func (t *Trace) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	_ = t.buf.Close()
	t.chunk = nil
}

// finalUpdate is one round: send the rest of the trace, then PUT the
// result, repeating on 202 and 412.
func (t *Trace) finalUpdate(ctx context.Context, update JobUpdate) error {
	for round := 0; round < maxAcceptedRounds; round++ {
		if err := t.ensureAllSent(ctx); err != nil {
			return err
		}
		t.mu.Lock()
		sum, size := t.checksumLocked()
		t.mu.Unlock()
		update.Output = &JobOutput{Checksum: sum, Bytesize: size}
		r, err := t.c.UpdateJob(ctx, t.id, t.token, update)
		if r == nil {
			return err
		}
		t.mu.Lock()
		t.followInterval(r)
		wait := t.interval
		t.mu.Unlock()
		switch {
		case r.StatusCode == http.StatusOK:
			// Done; Job-Status now names the final state itself.
			return nil
		case abortStatus(r):
			t.react(r, ErrJobAborted)
			return fmt.Errorf("final update of job %d: %w (%d %s)", t.id, ErrJobAborted, r.StatusCode, r.JobStatus)
		case r.StatusCode == http.StatusAccepted:
			// GitLab is still persisting live trace chunks.
			if !sleep(ctx, wait) {
				return ctx.Err()
			}
		case r.StatusCode == http.StatusPreconditionFailed:
			// GitLab's copy fails the checksum: send everything again.
			t.mu.Lock()
			t.sent = 0
			t.notFound = false
			t.mu.Unlock()
		default:
			return err
		}
	}
	return fmt.Errorf("final update of job %d: still not finalised after %d rounds", t.id, maxAcceptedRounds)
}

// ensureAllSent PATCHes until GitLab holds every byte. 416 re-syncs the
// offset and waits one interval, as GitLab Runner does.
func (t *Trace) ensureAllSent(ctx context.Context) error {
	resyncs := 0
	for {
		offset, chunk, stopped := t.nextChunk()
		if stopped || len(chunk) == 0 {
			return nil
		}
		r, err := t.c.PatchTrace(ctx, t.id, t.token, offset, chunk, t.opts.Debug)
		if err != nil {
			return err
		}
		err = t.handlePatch(r, offset, len(chunk))
		switch {
		case err == nil:
			resyncs = 0
		case errors.Is(err, errRangeMismatch):
			resyncs++
			if resyncs > maxResyncs {
				return fmt.Errorf("trace of job %d: GitLab keeps answering 416", t.id)
			}
			if !sleep(ctx, t.currentInterval()) {
				return ctx.Err()
			}
		default:
			return err
		}
	}
}

// Sent returns how many trace bytes GitLab has acknowledged.
func (t *Trace) Sent() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.sent
}
