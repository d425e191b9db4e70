package jobapi

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// masked replaces every secret in the request log.
const masked = "[MASKED]"

// secretParams are the query parameters whose values are credentials,
// masked in the log whatever their value: the job token's own parameters
// and GitLab Runner's list of sensitive URL parameters.
var secretParams = []string{
	"job_token", "token", "private_token", "access_token", "password",
	"authenticity_token", "rss_token", "x-amz-signature", "x-amz-credential", "x-amz-security-token",
}

// tokenPrefixRE finds GitLab tokens by their prefixes (masking.md), so
// that a token of another job pasted into a URL is masked too; the prefix
// stays, as GitLab Runner keeps it, to say what kind of token it was.
var tokenPrefixRE = regexp.MustCompile(`(glpat-|gloas-|gldt-|glrt-|glcbt-|glrtr-|glptt-|glft-|glimt-|glagent-|glsoat-|glffct-|gltok-)[A-Za-z0-9_.~%+-]+`)

// logEntry is what the request log says about one request.
type logEntry struct {
	method  string
	url     *url.URL
	project string // the target project's path; "-" when none
	job     string // the token's job id; "-" when no valid token
	allowed bool
	reason  string
	// secret is the credential the request presented, valid or not; it
	// is masked wherever it shows up in the line (a token pasted into a
	// path, say), and never written.
	secret string
}

// line renders the entry as one line:
//
//	2026-01-02T15:04:05Z GET /api/v4/job job=7 project=group/app allowed 200: own job
func (e logEntry) line(now time.Time, status int) string {
	verdict := "denied"
	if e.allowed {
		verdict = "allowed"
	}
	s := fmt.Sprintf("%s %s %s job=%s project=%s %s %d: %s",
		now.UTC().Format(time.RFC3339), e.method, maskedURL(e.url),
		orDash(e.job), orDash(e.project), verdict, status, e.reason)
	s = tokenPrefixRE.ReplaceAllString(maskSecret(s, e.secret), "${1}"+masked)
	// net/http refuses control characters in a request line, but the
	// handler can be mounted elsewhere: one request stays one line.
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return '?'
		}
		return r
	}, s) + "\n"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// maskedURL is the request's escaped path and query with the values of
// credential parameters replaced.
func maskedURL(u *url.URL) string {
	path := u.EscapedPath()
	if u.RawQuery == "" {
		return path
	}
	pairs := strings.Split(u.RawQuery, "&")
	for i, pair := range pairs {
		key, _, hasValue := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(key)
		if err != nil {
			name = key
		}
		if hasValue && isSecretParam(name) {
			pairs[i] = key + "=" + masked
		}
	}
	return path + "?" + strings.Join(pairs, "&")
}

func isSecretParam(name string) bool {
	for _, p := range secretParams {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// maskSecret replaces the secret and its URL-escaped forms. A presented
// value shorter than 8 characters cannot be anyone's token (Register
// refuses those) and masking it would garble the line, so it stays.
func maskSecret(s, secret string) string {
	if len(secret) < 8 {
		return s
	}
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret)} {
		s = strings.ReplaceAll(s, form, masked)
	}
	return s
}

func (s *Server) writeLog(e logEntry, status int) {
	if status == 0 {
		status = http.StatusOK // the endpoint wrote nothing at all
	}
	line := e.line(s.cfg.Now(), status)
	s.logMu.Lock()
	defer s.logMu.Unlock()
	// A failing log writer must not fail the job's request; exec notices
	// a broken log file on its own.
	_, _ = io.WriteString(s.cfg.RequestLog, line)
}
