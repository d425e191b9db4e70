package runner

import (
	"io"
	"sync"

	"github.com/jobrun/jobrun/internal/job"
)

// JobHook is told when an attempt of a local job starts, after its token
// is minted and before anything runs; exec uses it to make the token valid
// on its local job API. It may add variables to p. notes writes into the
// job's masked trace (lines written before the masker exists, or after
// the job ended, are dropped). The returned end is called when the
// attempt ends, however it ends: success, failure, timeout or cancel.
type JobHook func(p *job.Payload, notes io.Writer) (end func(), err error)

// noteWriter forwards notes into a job's masker while the job runs. It
// exists before the masker does (the hook runs first), so the masker is
// attached to it later and detached before it closes.
type noteWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write never fails: a note that arrives outside the job's life has no
// log to go to.
func (n *noteWriter) Write(p []byte) (int, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.w != nil {
		_, _ = n.w.Write(p)
	}
	return len(p), nil
}

// attach is a Job.Attach: it starts forwarding to masked and returns the
// function that stops it.
func (n *noteWriter) attach(masked io.Writer) (detach func()) {
	n.mu.Lock()
	n.w = masked
	n.mu.Unlock()
	return func() {
		n.mu.Lock()
		n.w = nil
		n.mu.Unlock()
	}
}
