package gitlabfake

import (
	"bytes"
	"hash/crc32"
	"slices"

	"github.com/jobrun/jobrun/internal/job"
)

// Job is an enqueued job and what the fake coordinator learned about it.
// Its methods are safe for concurrent use.
type Job struct {
	Payload job.Payload
	s       *Server

	// Guarded by s.mu.
	status           string // pending, running, canceling, canceled, success, failed
	features         map[string]bool
	trace            []byte // empty with Options.HashOnlyTraces
	traceSize        int64
	traceCRC         uint32
	updates          []JobUpdate
	final            *JobUpdate
	putAccepted      int // final PUTs still to answer with 202
	failChecksumOnce bool
	patchFaults      []Fault
	dropPatches      int
	artifacts        []Artifact
	uploadFaults     []Fault
	updateFaults     []Fault
}

// JobUpdate is a PUT /jobs/:id body as received.
type JobUpdate struct {
	Token         string `json:"token"`
	State         string `json:"state"`
	FailureReason string `json:"failure_reason"`
	ExitCode      int    `json:"exit_code"`
	Checksum      string `json:"checksum"`
	Output        *struct {
		Checksum string `json:"checksum"`
		Bytesize int64  `json:"bytesize"`
	} `json:"output"`
}

func (j *Job) lock() func() {
	j.s.mu.Lock()
	return j.s.mu.Unlock
}

// Status is the job's status as GitLab sees it.
func (j *Job) Status() string {
	defer j.lock()()
	return j.status
}

// SetStatus changes the status, e.g. "canceling" (the runner should
// cancel gracefully) or "canceled"/"failed" (every further trace or update
// call gets 403 with that Job-Status).
func (j *Job) SetStatus(status string) {
	defer j.lock()()
	j.status = status
}

// Trace is a copy of the trace the coordinator stored (nil with
// Options.HashOnlyTraces).
func (j *Job) Trace() []byte {
	defer j.lock()()
	return bytes.Clone(j.trace)
}

// Final is the accepted final update (state success or failed), if any.
func (j *Job) Final() (JobUpdate, bool) {
	defer j.lock()()
	if j.final == nil {
		return JobUpdate{}, false
	}
	return *j.final, true
}

// Updates lists every PUT body received, accepted or not.
func (j *Job) Updates() []JobUpdate {
	defer j.lock()()
	return slices.Clone(j.updates)
}

// Features is info.features the runner sent when it took the job.
func (j *Job) Features() map[string]bool {
	defer j.lock()()
	return j.features
}

// AcceptFinal makes the next n final updates answer 202 (trace still
// being persisted) before one is accepted.
func (j *Job) AcceptFinal(n int) {
	defer j.lock()()
	j.putAccepted = n
}

// FailChecksumOnce makes the next final update fail trace validation: the
// stored trace is erased and the answer is 412, as GitLab does for a
// runner with trace_reset.
func (j *Job) FailChecksumOnce() {
	defer j.lock()()
	j.failChecksumOnce = true
}

// InjectPatchFaults makes the next trace PATCHes answer with these faults.
func (j *Job) InjectPatchFaults(f ...Fault) {
	defer j.lock()()
	j.patchFaults = append(j.patchFaults, f...)
}

// InjectUpdateFaults makes the next PUT /jobs/:id calls answer with these
// faults (5xx, 409 for a two-phase commit lost to another runner, …).
func (j *Job) InjectUpdateFaults(f ...Fault) {
	defer j.lock()()
	j.updateFaults = append(j.updateFaults, f...)
}

// DropPatches makes the next n trace PATCHes lose their connection half
// way through their body; their bytes are not stored.
func (j *Job) DropPatches(n int) {
	defer j.lock()()
	j.dropPatches = n
}

// TruncateTrace drops stored bytes beyond n, so the next PATCH offset is
// wrong and gets a 416 (what happens when GitLab lost a chunk).
func (j *Job) TruncateTrace(n int) {
	defer j.lock()()
	if n < len(j.trace) {
		j.trace = j.trace[:n]
		j.traceSize, j.traceCRC = int64(n), crc32.ChecksumIEEE(j.trace)
	}
}

// checksum is GitLab's view of the stored trace; call with s.mu held.
func (j *Job) checksumLocked() (uint32, int64) {
	return j.traceCRC, j.traceSize
}

// appendTraceLocked stores trace bytes (or only their size and checksum).
func (j *Job) appendTraceLocked(b []byte) {
	if !j.s.opts.HashOnlyTraces {
		j.trace = append(j.trace, b...)
	}
	j.traceSize += int64(len(b))
	j.traceCRC = crc32.Update(j.traceCRC, crc32.IEEETable, b)
}

// resetTraceLocked erases the stored trace (trace_reset after a 412).
func (j *Job) resetTraceLocked() {
	j.trace, j.traceSize, j.traceCRC = nil, 0, 0
}

// executing is Rails's EXECUTING_STATUSES: the job token is valid.
func (j *Job) executingLocked() bool {
	return j.status == "running" || j.status == "canceling"
}
