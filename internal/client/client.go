// Package client speaks GitLab's runner API (see
// ../shared/reference/gitlab-runner-api.md): it verifies a runner, asks
// for jobs, streams a job's masked trace, reports the job's result and
// moves artifacts. It only produces job.Payload values; it knows nothing
// about how a job runs.
//
// One file per resource: runners.go (verify), jobs.go (request, update),
// trace.go and tracebuffer.go (the trace uploader), artifacts.go (upload,
// download). retry.go holds the retrying decorator around Do.
//
// `jobrun run --once` is a thin loop over it (errors elided):
//
//	c, _ := client.New(client.Options{URL: url, Version: v, Info: client.Info{Executor: "shell", Features: features}})
//	id, _ := client.LoadSystemID(configPath)
//	for p == nil { // 204: nothing yet; GitLab's long poll paces the loop
//		p, _, err = c.RequestJob(ctx, runnerToken, id)
//	}
//	err = c.AcceptJob(ctx, p)                // two-phase commit; ErrJobAborted: drop it silently
//	masker.Add(client.Secrets(p)...)         // before anything runs
//	tr := c.NewTrace(ctx, p, client.TraceOptions{OnCancel: stopScript, OnAbort: killAll})
//	// runner core: executor output → masker → tr (and the terminal);
//	// gitsource.Get, c.DownloadArtifacts, archive.Extract, the script,
//	// archive.Select + WriteZip, c.UploadArtifact
//	err = tr.Finish(ctx, client.Result{State: client.StateFailed, ExitCode: 1, FailureReason: client.ReasonScriptFailure})
//
// once_test.go runs exactly this loop against internal/gitlabfake.
package client

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Header names of the runner API.
const (
	headerJobToken       = "JOB-TOKEN"
	headerRunnerToken    = "RUNNER-TOKEN"
	headerLastUpdate     = "X-GitLab-Last-Update"
	headerUpdateInterval = "X-GitLab-Trace-Update-Interval"
	headerJobStatus      = "Job-Status"
	headerRequestID      = "X-Request-Id"
)

// ResponseHeaderTimeout is how long the client waits for response headers.
// GitLab's Workhorse holds a jobs/request long poll for about 50 s, so this
// must be well above that (GitLab Runner allows 10 minutes).
const ResponseHeaderTimeout = 10 * time.Minute

// Doer sends one HTTP request; *http.Client is one, and the retrying
// decorator wraps another.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Options configure a Client.
type Options struct {
	// URL is the GitLab instance, e.g. https://gitlab.example.com (a
	// trailing "/" or "/ci" is removed, as GitLab Runner does).
	URL string
	// Version is jobrun's version, sent in User-Agent and info.
	Version string
	// Info describes this runner in verify, jobs/request and job updates;
	// its Features must list only what jobrun implements.
	Info Info
	// HTTP sends the requests; nil means NewHTTPClient(). A client of
	// your own must allow ResponseHeaderTimeout for the long poll and must
	// not forward the JOB-TOKEN header on redirects to another origin
	// (artifact downloads are redirected to object storage).
	HTTP Doer
	// Retry is the retry policy; the zero value means DefaultRetry.
	Retry RetryPolicy
}

// Client is a GitLab runner API client. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	doer      Doer
	userAgent string
	info      Info

	mu         sync.Mutex
	lastUpdate string
}

// New returns a Client for opts.URL.
func New(opts Options) (*Client, error) {
	base, err := BaseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	doer := opts.HTTP
	if doer == nil {
		doer = NewHTTPClient()
	}
	policy := opts.Retry
	if policy == (RetryPolicy{}) {
		policy = DefaultRetry
	}
	info := opts.Info
	if info.Name == "" {
		info.Name = "jobrun"
	}
	if info.Version == "" {
		info.Version = opts.Version
	}
	if info.Platform == "" {
		info.Platform = runtime.GOOS
	}
	if info.Architecture == "" {
		info.Architecture = runtime.GOARCH
	}
	return &Client{
		base:      base,
		doer:      &retryDoer{next: doer, policy: policy},
		userAgent: fmt.Sprintf("jobrun %s (%s; %s/%s)", opts.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH),
		info:      info,
	}, nil
}

// BaseURL turns a GitLab URL into the API base "<url>/api/v4/": trailing
// slashes and a trailing "/ci" are dropped; only http and https are valid.
func BaseURL(raw string) (*url.URL, error) {
	trimmed := strings.TrimSuffix(strings.TrimRight(raw, "/"), "/ci")
	u, err := url.Parse(trimmed)
	if err != nil {
		return nil, fmt.Errorf("GitLab URL %q: %w", redactURL(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("GitLab URL %q: want an http:// or https:// URL", redactURL(raw))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("GitLab URL %q: no host", redactURL(raw))
	}
	if u.User != nil {
		return nil, fmt.Errorf("GitLab URL %q: credentials do not belong in the URL", redactURL(raw))
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/api/v4/"
	u.RawQuery, u.Fragment = "", ""
	return u, nil
}

// redactURL drops the userinfo of a URL for messages; a URL that does not
// parse is not echoed at all, since it may hold a secret.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "<unparsable URL>"
	}
	if u.User == nil {
		return raw
	}
	u.User = nil
	return u.String()
}

// NewHTTPClient returns the HTTP client the runner uses: long-poll aware
// response-header timeout, TLS ≥ 1.2, and an overall cap of an hour (a
// 256 MiB artifact upload must fit in it).
func NewHTTPClient() *http.Client {
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: ResponseHeaderTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	transport.TLSClientConfig = minTLS()
	return &http.Client{Transport: transport, Timeout: time.Hour, CheckRedirect: keepTokenOnOrigin}
}

// keepTokenOnOrigin follows redirects (artifact downloads go to object
// storage) but never carries the JOB-TOKEN header to another origin.
func keepTokenOnOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	first := via[0].URL
	if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
		req.Header.Del(headerJobToken)
	}
	return nil
}

// newRequest builds a request for the API path (relative to /api/v4/),
// with the headers every runner request carries.
func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body io.Reader) (*http.Request, error) {
	u := c.base.JoinPath(path)
	if len(query) > 0 {
		u.RawQuery = query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set(headerRequestID, requestID())
	return req, nil
}

// requestID is a random correlation id: a UUID's 32 hex digits.
func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// do sends req and wraps the answer; every answer's X-GitLab-Last-Update
// is kept for the next jobs/request.
func (c *Client) do(req *http.Request) (*http.Response, error) {
	resp, err := c.doer.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, stripURLError(err))
	}
	if v := resp.Header.Get(headerLastUpdate); v != "" {
		c.mu.Lock()
		c.lastUpdate = v
		c.mu.Unlock()
	}
	return resp, nil
}

// stripURLError removes *url.Error's repetition of method and URL.
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// LastUpdate is the last X-GitLab-Last-Update value any answer carried.
func (c *Client) LastUpdate() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lastUpdate
}

// drain reads what is left of a body (so the connection is reused) and
// closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}
