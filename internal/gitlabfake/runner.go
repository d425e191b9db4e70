package gitlabfake

import (
	"encoding/json"
	"mime"
	"net/http"
	"time"
)

// maxRegisterBodySize is Workhorse's limit on a jobs/request body.
const maxRegisterBodySize = 32 << 10

type runnerRequest struct {
	Token      string          `json:"token"`
	SystemID   string          `json:"system_id"`
	LastUpdate string          `json:"last_update"`
	Info       json.RawMessage `json:"info"`
}

type runnerInfo struct {
	Features map[string]bool `json:"features"`
}

// decodeRunnerRequest reads a JSON runner request; it answers 400 itself
// when the body is not JSON.
func (s *Server) decodeRunnerRequest(w http.ResponseWriter, r *http.Request) (runnerRequest, bool) {
	var req runnerRequest
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.violation("%s %s: Content-Type %q, want application/json", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		s.violation("%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
		http.Error(w, `{"error":"token is missing"}`, http.StatusBadRequest)
		return req, false
	}
	if h := r.Header.Get("RUNNER-TOKEN"); h != "" && h != req.Token {
		s.violation("%s %s: RUNNER-TOKEN header differs from the body token", r.Method, r.URL.Path)
	}
	return req, true
}

// verify is POST /runners/verify: 200 {id, token, token_expires_at} or 403.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) {
	req, ok := s.decodeRunnerRequest(w, r)
	if !ok {
		return
	}
	if f, ok := s.nextFault(&s.verifyFaults); ok {
		writeFault(w, f)
		return
	}
	if req.Token != s.opts.RunnerToken {
		http.Error(w, `{"message":"403 Forbidden"}`, http.StatusForbidden)
		return
	}
	if req.SystemID != "" && !validSystemID(req.SystemID) {
		s.violation("verify: malformed system_id %q", req.SystemID)
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": 42, "token": req.Token, "token_expires_at": nil})
}

// requestJob is POST /jobs/request, as Workhorse and Rails answer it.
func (s *Server) requestJob(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > maxRegisterBodySize {
		s.violation("jobs/request body of %d bytes (Workhorse allows 32 KiB)", r.ContentLength)
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		return
	}
	req, ok := s.decodeRunnerRequest(w, r)
	if !ok {
		return
	}
	if f, ok := s.nextFault(&s.requestFaults); ok {
		writeFault(w, f)
		return
	}
	if req.SystemID != "" && !validSystemID(req.SystemID) {
		s.violation("jobs/request: malformed system_id %q", req.SystemID)
	}
	if req.Token != "" && req.LastUpdate != "" && s.opts.LongPoll > 0 {
		if !s.longPoll(r, req.LastUpdate) {
			// Workhorse answers by itself: 204, no X-GitLab-Last-Update.
			w.Header().Set("Gitlab-Ci-Builds-Polling", "yes")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if req.Token != s.opts.RunnerToken {
		http.Error(w, `{"message":"403 Forbidden"}`, http.StatusForbidden)
		return
	}
	var info runnerInfo
	_ = json.Unmarshal(req.Info, &info)
	s.mu.Lock()
	defer s.mu.Unlock()
	w.Header().Set("X-GitLab-Last-Update", s.queueValue)
	if len(s.queue) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	j := s.queue[0]
	s.queue = s.queue[1:]
	j.features = info.Features
	j.status = "running"
	if info.Features["two_phase_job_commit"] {
		j.status = "pending" // until the runner sends PUT state=running
	}
	writeJSON(w, http.StatusCreated, j.Payload)
}

// longPoll waits while the queue value equals lastUpdate, up to LongPoll.
// It reports whether the request should go on to "Rails".
func (s *Server) longPoll(r *http.Request, lastUpdate string) bool {
	s.mu.Lock()
	changed, queued := s.queueValue != lastUpdate, s.queued
	s.mu.Unlock()
	if changed {
		return true
	}
	timer := time.NewTimer(s.opts.LongPoll)
	defer timer.Stop()
	select {
	case <-queued:
	case <-timer.C:
	case <-r.Context().Done():
	}
	return false
}

// nextFault pops the first injected fault of a queue.
func (s *Server) nextFault(queue *[]Fault) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(*queue) == 0 {
		return Fault{}, false
	}
	f := (*queue)[0]
	*queue = (*queue)[1:]
	return f, true
}

func validSystemID(id string) bool {
	if len(id) != 14 || (id[0] != 's' && id[0] != 'r') || id[1] != '_' {
		return false
	}
	for _, c := range id[2:] {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
