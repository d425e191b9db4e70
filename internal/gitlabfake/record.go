package gitlabfake

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Request is one recorded request.
type Request struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	// Body is kept for bodies up to 64 KiB (trace chunks are not kept;
	// the stored trace is in Job.Trace).
	Body []byte
	// TokenPlaces lists where a job token appeared: "header <Name>",
	// "query", "path", "body".
	TokenPlaces []string
	// Status is the answer's status code; StatusDropped when the fake
	// closed the connection instead of answering.
	Status int
}

// StatusDropped marks a request whose connection the fake dropped.
const StatusDropped = -1

// statusRecorder remembers the status code and passes hijacking through.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	w.status = StatusDropped
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

const keptBody = 64 << 10

// record reads each request's body, notes where job tokens appear and
// checks the headers every runner request carries.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.takeMidBodyDrop(r) {
			// Half the chunk arrives, then the connection dies.
			_, _ = io.CopyN(io.Discard, r.Body, r.ContentLength/2)
			s.mu.Lock()
			s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Status: StatusDropped})
			s.mu.Unlock()
			dropConnection(w)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()}
		if len(body) <= keptBody {
			rec.Body = body
		}
		isAPI := strings.HasPrefix(r.URL.Path, "/api/v4/")
		s.mu.Lock()
		rec.TokenPlaces = s.tokenPlacesLocked(r, body)
		index := len(s.requests)
		s.requests = append(s.requests, rec)
		if isAPI && r.Header.Get("User-Agent") == "" {
			s.violationLocked("%s %s without User-Agent", r.Method, r.URL.Path)
		}
		if isAPI && r.Header.Get("X-Request-Id") == "" {
			s.violationLocked("%s %s without X-Request-Id", r.Method, r.URL.Path)
		}
		s.mu.Unlock()
		sr := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(sr, r)
		s.mu.Lock()
		s.requests[index].Status = sr.status
		s.mu.Unlock()
	})
}

// tokenPlacesLocked finds every job token (of any job ever enqueued) in
// the request.
func (s *Server) tokenPlacesLocked(r *http.Request, body []byte) []string {
	var places []string
	for _, j := range s.jobs {
		tok := j.Payload.Token
		for name, vs := range r.Header {
			for _, v := range vs {
				if strings.Contains(v, tok) {
					places = append(places, "header "+http.CanonicalHeaderKey(name))
				}
			}
		}
		if strings.Contains(r.URL.RawQuery, tok) {
			places = append(places, "query")
		}
		if strings.Contains(r.URL.Path, tok) {
			places = append(places, "path")
		}
		if bytes.Contains(body, []byte(tok)) {
			places = append(places, "body")
		}
	}
	return places
}

// Requests returns a copy of every request so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// TokenMisuse lists every request that carried a job token anywhere but
// a JOB-TOKEN header or the body of PUT /jobs/:id — the only places a
// runner needs it (git's basic auth is encoded, and its own business).
func (s *Server) TokenMisuse() []string {
	var out []string
	for _, r := range s.Requests() {
		for _, place := range r.TokenPlaces {
			isPut := r.Method == http.MethodPut && strings.HasPrefix(r.Path, "/api/v4/jobs/")
			if place == "header Job-Token" || (place == "body" && isPut) {
				continue
			}
			out = append(out, fmt.Sprintf("%s %s: job token in %s", r.Method, r.Path, place))
		}
	}
	return out
}

// takeMidBodyDrop reports (and uses up) a pending Job.DropPatches for a
// trace PATCH.
func (s *Server) takeMidBodyDrop(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/api/v4/jobs/")
	idText, ok2 := strings.CutSuffix(rest, "/trace")
	if r.Method != http.MethodPatch || !ok || !ok2 {
		return false
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[id]
	if j == nil || j.dropPatches == 0 {
		return false
	}
	j.dropPatches--
	return true
}
