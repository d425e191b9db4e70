package client

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// RetryPolicy says how often and how long to retry transient answers.
type RetryPolicy struct {
	Attempts int           // total attempts, first one included
	Min, Max time.Duration // exponential backoff bounds
	// MaxWait caps a server-requested wait (Retry-After); 0 means Max.
	MaxWait time.Duration
}

// DefaultRetry is GitLab Runner's policy: 5 attempts, 100 ms to 60 s.
var DefaultRetry = RetryPolicy{Attempts: 5, Min: 100 * time.Millisecond, Max: 60 * time.Second, MaxWait: 60 * time.Minute}

// retryDoer retries 408, 429 and 5xx answers of requests whose body can
// be replayed, and lost connections of idempotent requests (GET, PUT, and
// PATCH, whose Content-Range makes a repeat safe) — never of a POST, which
// GitLab may have acted on (a job assigned, an artifact stored). It waits Retry-After or
// RateLimit-ResetTime when the server names a time, otherwise backs off
// exponentially with jitter, and stops as soon as the context is done.
type retryDoer struct {
	next   Doer
	policy RetryPolicy
}

func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		try, err := replay(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := d.next.Do(try)
		last := attempt >= d.policy.Attempts || ctx.Err() != nil || (req.Body != nil && req.GetBody == nil)
		if err == nil && (!retryable(resp.StatusCode) || last) {
			return resp, nil
		}
		if err != nil && (last || req.Method == http.MethodPost) {
			return nil, err
		}
		wait := d.backoff(attempt)
		if err == nil {
			if w, ok := serverWait(resp.Header, time.Now()); ok {
				wait = min(w, d.maxWait())
			}
			drain(resp.Body)
		}
		if !sleep(ctx, wait) {
			return nil, ctx.Err()
		}
	}
}

// replay returns req for the first attempt and a copy with a fresh body
// (from GetBody) for later ones.
func replay(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 || req.Body == nil || req.Body == http.NoBody {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	try := req.Clone(req.Context())
	try.Body = body
	return try, nil
}

func retryable(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// backoff is Min·2^(attempt-1) capped at Max, with up to 50 % jitter so
// many runners do not retry in lockstep.
func (d *retryDoer) backoff(attempt int) time.Duration {
	b := d.policy.Min << min(attempt-1, 30)
	if b <= 0 || b > d.policy.Max {
		b = d.policy.Max
	}
	jitter := time.Duration(rand.Int64N(int64(b)/2 + 1))
	return b/2 + jitter
}

func (d *retryDoer) maxWait() time.Duration {
	if d.policy.MaxWait > 0 {
		return d.policy.MaxWait
	}
	return d.policy.Max
}

// serverWait reads Retry-After (seconds or an HTTP date) or
// RateLimit-ResetTime (an HTTP date, GitLab's rack-attack header).
func serverWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After"); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := h.Get("RateLimit-ResetTime"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	return 0, false
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
