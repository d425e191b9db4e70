package gitlabfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxPatch is GitLab Runner's per-PATCH limit; the fake flags bigger ones.
const maxPatch = 1 << 20

// jobToken is the job token of a request: JOB-TOKEN header or token param.
func jobToken(r *http.Request) string {
	if v := r.Header.Get("JOB-TOKEN"); v != "" {
		return v
	}
	return r.URL.Query().Get("token")
}

// authJob finds the job and checks its token and that it is executing,
// answering 403 (with Job-Status) itself when not. Call with s.mu held.
func (s *Server) authJobLocked(w http.ResponseWriter, r *http.Request, allowPending bool) *Job {
	j := s.jobByPath(r)
	if j == nil || jobToken(r) != j.Payload.Token {
		http.Error(w, `{"message":"403 Forbidden"}`, http.StatusForbidden)
		return nil
	}
	if !j.executingLocked() && !(allowPending && j.status == "pending") {
		w.Header().Set("Job-Status", j.status)
		http.Error(w, `{"message":"403 Forbidden - Job is not processing on runner"}`, http.StatusForbidden)
		return nil
	}
	return j
}

func (s *Server) intervalHeader(w http.ResponseWriter) {
	if s.opts.TraceUpdateInterval > 0 {
		w.Header().Set("X-GitLab-Trace-Update-Interval", strconv.Itoa(s.opts.TraceUpdateInterval))
	}
}

// patchTrace is PATCH /jobs/:id/trace (AppendBuildTraceService).
func (s *Server) patchTrace(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	j := s.authJobLocked(w, r, false)
	if j == nil {
		s.mu.Unlock()
		return
	}
	if len(j.patchFaults) > 0 {
		f := j.patchFaults[0]
		j.patchFaults = j.patchFaults[1:]
		s.mu.Unlock()
		writeFault(w, f)
		return
	}
	defer s.mu.Unlock()
	if r.Header.Get("JOB-TOKEN") == "" {
		s.violationLocked("PATCH trace without JOB-TOKEN header")
	}
	if len(body) > maxPatch {
		s.violationLocked("PATCH trace of %d bytes (limit %d)", len(body), maxPatch)
	}
	cr := r.Header.Get("Content-Range")
	if cr == "" {
		http.Error(w, `{"message":"400 Bad request - Missing header Content-Range"}`, http.StatusBadRequest)
		return
	}
	start, end, err := parseContentRange(cr)
	if err != nil {
		s.violationLocked("PATCH trace: %v", err)
		http.Error(w, `{"message":"400 Bad request"}`, http.StatusBadRequest)
		return
	}
	if end != start+int64(len(body))-1 {
		s.violationLocked("PATCH trace Content-Range %q for %d bytes (end is inclusive)", cr, len(body))
	}
	size := j.traceSize
	w.Header().Set("Job-Status", j.status)
	if start != size {
		w.Header().Set("Range", fmt.Sprintf("0-%d", size))
		w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
		return
	}
	j.appendTraceLocked(body)
	w.Header().Set("Range", fmt.Sprintf("0-%d", j.traceSize))
	s.intervalHeader(w)
	w.WriteHeader(http.StatusAccepted)
}

func parseContentRange(v string) (start, end int64, err error) {
	a, b, ok := strings.Cut(v, "-")
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || start < 0 || end < start-1 {
		return 0, 0, fmt.Errorf("Content-Range %q, want <start>-<end>", v)
	}
	return start, end, nil
}

// dropConnection closes the connection without an answer.
func dropConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func writeFault(w http.ResponseWriter, f Fault) {
	if f.Status == StatusDropped {
		dropConnection(w)
		return
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	w.WriteHeader(f.Status)
}

// updateJob is PUT /jobs/:id (UpdateBuildStateService).
func (s *Server) updateJob(w http.ResponseWriter, r *http.Request) {
	var u JobUpdate
	if err := json.NewDecoder(r.Body).Decode(&u); err != nil {
		s.violation("PUT job: body is not JSON: %v", err)
		http.Error(w, `{"message":"400 Bad request"}`, http.StatusBadRequest)
		return
	}
	if r.Header.Get("JOB-TOKEN") == "" {
		s.violation("PUT job without JOB-TOKEN header")
	}
	if r.URL.Query().Get("token") == "" && u.Token != "" {
		r.Header.Set("JOB-TOKEN", u.Token) // Rails reads params[:token] too
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.authJobLocked(w, r, true)
	if j == nil {
		return
	}
	j.updates = append(j.updates, u)
	if len(j.updateFaults) > 0 {
		f := j.updateFaults[0]
		j.updateFaults = j.updateFaults[1:]
		writeFault(w, f)
		return
	}
	switch u.State {
	case "pending", "running":
		s.keepAliveLocked(w, j, u)
	case "success", "failed":
		s.finishLocked(w, j, u)
	default:
		http.Error(w, `{"message":"400 Bad request - Unknown state"}`, http.StatusBadRequest)
	}
}

// keepAliveLocked answers state=pending/running: the two-phase commit
// acceptance and the keep-alive touch.
func (s *Server) keepAliveLocked(w http.ResponseWriter, j *Job, u JobUpdate) {
	if j.status == "pending" && u.State == "running" {
		j.status = "running"
	}
	w.Header().Set("Job-Status", j.status)
	w.WriteHeader(http.StatusOK)
}

// finishLocked answers a final update: 202 while "persisting", 412 on a
// checksum mismatch (trace erased when the runner supports trace_reset),
// else 200 and the job is done.
func (s *Server) finishLocked(w http.ResponseWriter, j *Job, u JobUpdate) {
	if u.State == "failed" && u.FailureReason != "" && !slices.Contains(j.Payload.Features.FailureReasons, u.FailureReason) && len(j.Payload.Features.FailureReasons) > 0 {
		s.violationLocked("PUT job: failure_reason %q not in the job's features.failure_reasons", u.FailureReason)
	}
	if u.State == "success" && (u.ExitCode != 0 || u.FailureReason != "") {
		s.violationLocked("PUT job: success with exit_code %d / failure_reason %q", u.ExitCode, u.FailureReason)
	}
	if u.Output == nil || u.Checksum != u.Output.Checksum {
		s.violationLocked("PUT job: final update without output or with a differing top-level checksum")
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if j.putAccepted > 0 {
		j.putAccepted--
		s.intervalHeader(w)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	sum, size := j.checksumLocked()
	valid := u.Output.Checksum == fmt.Sprintf("crc32:%08x", sum) && u.Output.Bytesize == size
	if !valid || j.failChecksumOnce {
		j.failChecksumOnce = false
		if j.features["trace_reset"] {
			j.resetTraceLocked()
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		s.violationLocked("PUT job: trace checksum/bytesize mismatch (%s/%d, stored crc32:%08x/%d)", u.Output.Checksum, u.Output.Bytesize, sum, size)
	}
	final := u
	j.final = &final
	j.status = u.State
	w.Header().Set("Job-Status", j.status)
	w.WriteHeader(http.StatusOK)
}
