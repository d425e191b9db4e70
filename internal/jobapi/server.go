// Package jobapi is the loopback GitLab API that `jobrun exec` runs while a
// pipeline's jobs run: each job's CI_JOB_TOKEN authenticates against it
// exactly as against GitLab (JOB-TOKEN header, job_token= and token=
// parameters, gitlab-ci-token basic auth), for as long as the job runs,
// and the CI/CD job token scope (the inbound allowlist of each project) is
// enforced the way GitLab's documentation states it.
//
// It serves GET /job, the generic package registry, job artifacts,
// pipeline triggers, releases and git over HTTP. Every request is written
// to a request log with the token masked; denied requests answer 404, as
// GitLab does, and a one-line note naming the missing allowlist entry goes
// to a callback that writes it into the job's log.
package jobapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// DefaultAddr is where the server listens unless told otherwise: a random
// port on loopback. Docker jobs need the job network's gateway instead.
const DefaultAddr = "127.0.0.1:0"

// Config is everything the server is given by its caller.
type Config struct {
	// Addr is the listen address, host:port; DefaultAddr when empty.
	Addr string
	// TLS, when set, makes the server speak HTTPS (see SelfSignedTLS).
	TLS *tls.Config
	// Projects are the local projects, the pipeline's own among them.
	Projects []Project
	// DataDir is the root below which packages/ and releases/ are kept
	// across runs (`.jobrun` in exec).
	DataDir string
	// Artifacts finds the artifacts of earlier jobs; nil serves none.
	Artifacts ArtifactStore
	// Trigger runs a downstream pipeline; nil answers triggers with 404.
	Trigger TriggerFunc
	// RequestLog receives one line per request; nil discards them.
	RequestLog io.Writer
	// Denied receives a one-line explanation whenever a job's token is
	// refused access to a project, for that job's log.
	Denied func(job JobInfo, note string)
	// Now is the clock of the request log and the response timestamps;
	// time.Now when nil.
	Now func() time.Time
}

// Server is a running job API. Its methods are safe for concurrent use.
type Server struct {
	cfg      Config
	projects projectSet
	tokens   *tokenRegistry
	logMu    sync.Mutex
	// releaseMu makes "does this tag exist? then write it" one step.
	releaseMu sync.Mutex

	ln        net.Listener
	srv       *http.Server
	served    chan error
	closeOnce sync.Once
	closeErr  error
}

// New checks the configuration and returns a server that is not yet
// listening; it is an http.Handler, so it can also be mounted elsewhere.
func New(cfg Config) (*Server, error) {
	projects, err := newProjectSet(cfg.Projects)
	if err != nil {
		return nil, err
	}
	if cfg.DataDir == "" {
		return nil, errors.New("jobapi: no data directory")
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("jobapi: data directory: %w", err)
	}
	cfg.DataDir = dataDir
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.RequestLog == nil {
		cfg.RequestLog = io.Discard
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Server{cfg: cfg, projects: projects, tokens: newTokenRegistry()}, nil
}

// Start listens on Config.Addr and serves in the background until Close.
func (s *Server) Start() error {
	if err := os.MkdirAll(s.cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("jobapi: %w", err)
	}
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("jobapi: listen: %w", err)
	}
	if s.cfg.TLS != nil {
		ln = tls.NewListener(ln, s.cfg.TLS.Clone())
	}
	s.ln = ln
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		// net/http's own complaints (failed TLS handshakes, say) belong
		// in the request log, not on exec's terminal.
		ErrorLog: log.New(serverErrors{s}, "jobapi: ", 0),
	}
	s.served = make(chan error, 1)
	go func() { s.served <- s.srv.Serve(ln) }()
	return nil
}

// URL is the server's base URL, e.g. http://127.0.0.1:41234; CI_SERVER_URL
// for the jobs, with CI_API_V4_URL = URL()+"/api/v4".
func (s *Server) URL() string {
	if s.ln == nil {
		return ""
	}
	if s.cfg.TLS != nil {
		return "https://" + s.ln.Addr().String()
	}
	return "http://" + s.ln.Addr().String()
}

// serverErrors writes net/http's error log lines into the request log.
type serverErrors struct{ s *Server }

func (e serverErrors) Write(p []byte) (int, error) {
	e.s.logMu.Lock()
	defer e.s.logMu.Unlock()
	_, _ = e.s.cfg.RequestLog.Write(p)
	return len(p), nil
}

// APIURL is CI_API_V4_URL for the jobs.
func (s *Server) APIURL() string { return s.URL() + "/api/v4" }

// RepositoryURL is CI_REPOSITORY_URL for a job of the project at fullPath:
// https://gitlab-ci-token:<token>@host/<path>.git. It carries the token, so
// it is a secret: mask it, never log it, never put it on a command line.
func (s *Server) RepositoryURL(fullPath, token string) string {
	u, err := url.Parse(s.URL())
	if err != nil || u.Host == "" {
		return ""
	}
	u.User = url.UserPassword(jobTokenUser, token)
	u.Path = "/" + fullPath + ".git"
	return u.String()
}

// Close stops the server, waiting up to five seconds for requests in
// flight (a git clone, a package upload) to finish. Closing twice is
// harmless.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.srv == nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.closeErr = s.srv.Shutdown(ctx)
		if errors.Is(s.closeErr, context.DeadlineExceeded) {
			// A client that opened a connection and never used it keeps
			// Shutdown waiting (net/http counts a new connection as idle
			// only after 5 s); the jobs are over, so cut it off.
			s.closeErr = s.srv.Close()
		}
		if served := <-s.served; !errors.Is(served, http.ErrServerClosed) && s.closeErr == nil {
			s.closeErr = served
		}
	})
	return s.closeErr
}

// Register makes token valid for job until Revoke. The job's project must
// be one of Config.Projects.
func (s *Server) Register(token string, job JobInfo) error {
	if _, ok := s.projects.byID[job.ProjectID]; !ok {
		return fmt.Errorf("jobapi: job %d: project %d is not configured", job.JobID, job.ProjectID)
	}
	return s.tokens.register(token, job)
}

// Revoke ends a token's validity when its job ends, however it ends.
// Afterwards the token is answered exactly like one never issued.
func (s *Server) Revoke(token string) { s.tokens.revoke(token) }
