// Package gitlabfake is a strict stand-in for a GitLab coordinator, for
// tests: it answers the runner API on 127.0.0.1 (httptest) exactly as
// ../shared/reference/gitlab-runner-api.md describes — jobs/request with
// long poll, trace PATCH with Content-Range checks, job PUT with checksum
// verification, artifacts — serves git repositories through
// `git http-backend`, and records every request so tests can assert where
// tokens travelled and what the coordinator stored. Requests that break
// the protocol are answered as GitLab would and listed by Violations.
package gitlabfake

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/job"
)

// Options configure a Server; the zero value works.
type Options struct {
	// RunnerToken is the runner authentication token it accepts
	// (default "glrt-fake-runner-token-0001").
	RunnerToken string
	// LongPoll is how long a jobs/request with last_update waits for a
	// job, like Workhorse's apiCiLongPollingDuration (GitLab: ~50 s). 0
	// disables long polling.
	LongPoll time.Duration
	// TraceUpdateInterval is the X-GitLab-Trace-Update-Interval value in
	// seconds on trace and job answers (GitLab: 3 or 60). 0 sends none.
	TraceUpdateInterval int
	// HashOnlyTraces keeps only the size and CRC32 of each job's trace
	// instead of its bytes, for benchmarks with very large logs. Offsets
	// and checksums are still verified.
	HashOnlyTraces bool
}

// Server is the fake coordinator. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	srv  *httptest.Server
	// objectStore is a second origin standing in for object storage, where
	// artifact downloads are redirected (a job token must not go there).
	objectStore *httptest.Server

	mu            sync.Mutex
	queue         []*Job
	queueValue    string        // Redis runner:build_queue value, sent as X-GitLab-Last-Update
	queued        chan struct{} // closed and replaced when a job is enqueued
	jobs          map[int64]*Job
	requests      []Request
	violations    []string
	requestFaults []Fault
	verifyFaults  []Fault
	objects       map[string][]byte // "object storage" behind artifact redirects
	finished      map[int64]*FinishedJob
	repos         map[string]string // "group/project" → bare repository dir
	nextID        int64
}

// Fault is an injected answer for the next request to an endpoint.
type Fault struct {
	// Status is the status code, or StatusDropped to close the
	// connection without an answer.
	Status     int
	RetryAfter int // seconds, sent as Retry-After when > 0
}

// New starts a fake coordinator on 127.0.0.1 and stops it when the test
// ends.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.RunnerToken == "" {
		opts.RunnerToken = "glrt-fake-runner-token-0001"
	}
	s := &Server{
		opts:       opts,
		queueValue: randomHex(16),
		queued:     make(chan struct{}),
		jobs:       map[int64]*Job{},
		objects:    map[string][]byte{},
		finished:   map[int64]*FinishedJob{},
		repos:      map[string]string{},
		nextID:     1000,
	}
	s.srv = startLoopback(t, s.routes())
	objects := http.NewServeMux()
	objects.HandleFunc("GET /_objects/{key}", s.object)
	s.objectStore = startLoopback(t, s.record(objects))
	return s
}

// startLoopback starts an HTTP server on 127.0.0.1 (never another
// address), closed when the test ends.
func startLoopback(t testing.TB, h http.Handler) *httptest.Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("gitlabfake: %v", err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return srv
}

// URL is the instance URL (without /api/v4).
func (s *Server) URL() string { return s.srv.URL }

// RunnerToken is the accepted runner token.
func (s *Server) RunnerToken() string { return s.opts.RunnerToken }

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v4/runners/verify", s.verify)
	mux.HandleFunc("POST /api/v4/jobs/request", s.requestJob)
	mux.HandleFunc("PATCH /api/v4/jobs/{id}/trace", s.patchTrace)
	mux.HandleFunc("PUT /api/v4/jobs/{id}", s.updateJob)
	mux.HandleFunc("POST /api/v4/jobs/{id}/artifacts", s.uploadArtifact)
	mux.HandleFunc("GET /api/v4/jobs/{id}/artifacts", s.downloadArtifact)
	mux.HandleFunc("/", s.git)
	return s.record(mux)
}

// Enqueue adds a job for the next jobs/request and returns it. A missing
// id or token is filled in (token "glcbt-fake-<random>"), and the
// CI_JOB_TOKEN / CI_REPOSITORY_URL variables are set from it as GitLab
// does.
func (s *Server) Enqueue(p job.Payload) *Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.ID == 0 {
		s.nextID++
		p.ID = s.nextID
	}
	if p.Token == "" {
		p.Token = "glcbt-fake-" + randomHex(12)
	}
	p.JobInfo.ID = p.ID
	p.Variables.Set(job.Variable{Key: "CI_JOB_TOKEN", Value: p.Token, Masked: true})
	if p.JobInfo.ProjectFullPath != "" {
		repoURL := fmt.Sprintf("http://gitlab-ci-token:%s@%s/%s.git", p.Token, s.srv.Listener.Addr(), p.JobInfo.ProjectFullPath)
		p.GitInfo.RepoURL = repoURL
		p.Variables.Set(job.Variable{Key: "CI_REPOSITORY_URL", Value: repoURL})
	}
	j := &Job{Payload: p, s: s, status: "pending"}
	s.jobs[p.ID] = j
	s.queue = append(s.queue, j)
	s.queueValue = randomHex(16)
	close(s.queued)
	s.queued = make(chan struct{})
	return j
}

// InjectRequestFaults makes the next jobs/request calls answer with these
// faults, in order (429 with Retry-After, 5xx bursts, 409, …).
func (s *Server) InjectRequestFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requestFaults = append(s.requestFaults, f...)
}

// InjectVerifyFaults makes the next runners/verify calls answer with
// these faults (422 for an orphaned runner, 5xx, …).
func (s *Server) InjectVerifyFaults(f ...Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.verifyFaults = append(s.verifyFaults, f...)
}

// Violations lists requests that broke the protocol.
func (s *Server) Violations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.violations...)
}

// violation records a protocol breach; call with s.mu held.
func (s *Server) violationLocked(format string, a ...any) {
	s.violations = append(s.violations, fmt.Sprintf(format, a...))
}

func (s *Server) violation(format string, a ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violationLocked(format, a...)
}

// jobByPath finds the job of a {id} path value; call with s.mu held.
func (s *Server) jobByPath(r *http.Request) *Job {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil
	}
	return s.jobs[id]
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
