package gitlabfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/job"
)

// call sends one raw request as a runner would (or would not).
func call(t *testing.T, method, url string, header map[string]string, body []byte) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "fake-test")
	req.Header.Set("X-Request-Id", "0123")
	for k, v := range header {
		req.Header.Set(k, v) // "" removes it; Go then sends no User-Agent at all
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// running returns a fake with one job taken by a runner (with the given
// features), so its token is valid.
func running(t *testing.T, features map[string]bool) (*Server, *Job) {
	t.Helper()
	s := New(t, Options{})
	j := s.Enqueue(job.Payload{JobInfo: job.JobInfo{ProjectFullPath: "acme/app"}, Features: job.Features{FailureReasons: []string{"script_failure"}}})
	body, _ := json.Marshal(map[string]any{"token": s.RunnerToken(), "info": map[string]any{"features": features}})
	if resp := call(t, "POST", s.URL()+"/api/v4/jobs/request", map[string]string{"Content-Type": "application/json"}, body); resp.StatusCode != 201 {
		t.Fatalf("jobs/request = %d", resp.StatusCode)
	}
	return s, j
}

func TestPatchTraceChecks(t *testing.T) {
	t.Parallel()
	s, j := running(t, nil)
	url := fmt.Sprintf("%s/api/v4/jobs/%d/trace", s.URL(), j.Payload.ID)
	tok := j.Payload.Token
	steps := []struct {
		name       string
		header     map[string]string
		body       string
		wantStatus int
		wantRange  string
	}{
		{"no Content-Range", map[string]string{"JOB-TOKEN": tok}, "abc", 400, ""},
		{"first chunk", map[string]string{"JOB-TOKEN": tok, "Content-Range": "0-2"}, "abc", 202, "0-3"},
		{"wrong offset", map[string]string{"JOB-TOKEN": tok, "Content-Range": "10-12"}, "def", 416, "0-3"},
		{"resend of the first chunk", map[string]string{"JOB-TOKEN": tok, "Content-Range": "0-2"}, "abc", 416, "0-3"},
		{"next chunk", map[string]string{"JOB-TOKEN": tok, "Content-Range": "3-5"}, "def", 202, "0-6"},
		{"wrong token", map[string]string{"JOB-TOKEN": "glcbt-other", "Content-Range": "6-8"}, "ghi", 403, ""},
	}
	for _, st := range steps {
		resp := call(t, "PATCH", url, st.header, []byte(st.body))
		if resp.StatusCode != st.wantStatus || resp.Header.Get("Range") != st.wantRange {
			t.Errorf("%s: %d Range %q, want %d %q", st.name, resp.StatusCode, resp.Header.Get("Range"), st.wantStatus, st.wantRange)
		}
	}
	if got := string(j.Trace()); got != "abcdef" {
		t.Errorf("stored trace %q", got)
	}
	// An exclusive end (the old off-by-one) is a violation.
	call(t, "PATCH", url, map[string]string{"JOB-TOKEN": tok, "Content-Range": "6-9"}, []byte("ghi"))
	if v := s.Violations(); len(v) != 1 || !strings.Contains(v[0], "end is inclusive") {
		t.Errorf("violations = %q", v)
	}
}

func TestTwoPhaseCommitAndEnd(t *testing.T) {
	t.Parallel()
	s, j := running(t, map[string]bool{"two_phase_job_commit": true, "trace_reset": true})
	tok := j.Payload.Token
	trace := fmt.Sprintf("%s/api/v4/jobs/%d/trace", s.URL(), j.Payload.ID)
	put := fmt.Sprintf("%s/api/v4/jobs/%d", s.URL(), j.Payload.ID)
	hdr := map[string]string{"JOB-TOKEN": tok, "Content-Type": "application/json"}
	if resp := call(t, "PATCH", trace, map[string]string{"JOB-TOKEN": tok, "Content-Range": "0-1"}, []byte("hi")); resp.StatusCode != 403 || resp.Header.Get("Job-Status") != "pending" {
		t.Errorf("PATCH before accepting: %d %q", resp.StatusCode, resp.Header.Get("Job-Status"))
	}
	if resp := call(t, "PUT", put, hdr, []byte(`{"token":"`+tok+`","state":"running"}`)); resp.StatusCode != 200 || j.Status() != "running" {
		t.Fatalf("accept: %d, status %s", resp.StatusCode, j.Status())
	}
	call(t, "PATCH", trace, map[string]string{"JOB-TOKEN": tok, "Content-Range": "0-1"}, []byte("hi"))
	final := func(sum string, size int) *http.Response {
		body := fmt.Sprintf(`{"token":%q,"state":"success","checksum":%q,"output":{"checksum":%q,"bytesize":%d}}`, tok, sum, sum, size)
		return call(t, "PUT", put, hdr, []byte(body))
	}
	if resp := final("crc32:00000000", 2); resp.StatusCode != 412 || len(j.Trace()) != 0 {
		t.Errorf("bad checksum: %d, trace %q (want 412 and the trace erased)", resp.StatusCode, j.Trace())
	}
	call(t, "PATCH", trace, map[string]string{"JOB-TOKEN": tok, "Content-Range": "0-1"}, []byte("hi"))
	good := fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE([]byte("hi")))
	if resp := final(good, 2); resp.StatusCode != 200 || j.Status() != "success" {
		t.Errorf("final: %d, status %s", resp.StatusCode, j.Status())
	}
	if resp := call(t, "PATCH", trace, map[string]string{"JOB-TOKEN": tok, "Content-Range": "2-2"}, []byte("!")); resp.StatusCode != 403 || resp.Header.Get("Job-Status") != "success" {
		t.Errorf("PATCH after the end: %d %q", resp.StatusCode, resp.Header.Get("Job-Status"))
	}
	if v := s.Violations(); len(v) != 0 {
		t.Errorf("violations: %q", v)
	}
}

func TestRequestChecks(t *testing.T) {
	t.Parallel()
	s := New(t, Options{})
	url := s.URL() + "/api/v4/jobs/request"
	json := map[string]string{"Content-Type": "application/json"}
	big := []byte(`{"token":"` + strings.Repeat("x", 33<<10) + `"}`)
	tests := []struct {
		name   string
		header map[string]string
		body   []byte
		want   int
		viol   string
	}{
		{"bad token", json, []byte(`{"token":"glrt-nope"}`), 403, ""},
		{"body over 32 KiB", json, big, 413, "Workhorse allows 32 KiB"},
		{"no User-Agent", map[string]string{"Content-Type": "application/json", "User-Agent": ""}, []byte(`{"token":"` + s.RunnerToken() + `"}`), 204, "without User-Agent"},
		{"not JSON", json, []byte(`token=x`), 400, "not JSON"},
	}
	for _, tt := range tests {
		before := len(s.Violations())
		if resp := call(t, "POST", url, tt.header, tt.body); resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
		v := s.Violations()[before:]
		if (tt.viol == "") != (len(v) == 0) || (tt.viol != "" && !strings.Contains(strings.Join(v, "\n"), tt.viol)) {
			t.Errorf("%s: violations %q, want %q", tt.name, v, tt.viol)
		}
	}
}

// Tokens are found wherever a client puts them.
func TestTokenPlaces(t *testing.T) {
	t.Parallel()
	s, j := running(t, nil)
	tok := j.Payload.Token
	call(t, "PATCH", fmt.Sprintf("%s/api/v4/jobs/%d/trace?token=%s", s.URL(), j.Payload.ID, tok), map[string]string{"Content-Range": "0-0"}, []byte("x"))
	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	if !slices.Equal(last.TokenPlaces, []string{"query"}) {
		t.Errorf("token places = %q, want [query]", last.TokenPlaces)
	}
	if m := s.TokenMisuse(); len(m) != 1 || !strings.Contains(m[0], "job token in query") {
		t.Errorf("TokenMisuse = %q", m)
	}
}

func TestGitNeedsJobToken(t *testing.T) {
	t.Parallel()
	s, j := running(t, nil)
	bare := filepath.Join(t.TempDir(), "app.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", bare).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	s.AddRepo("acme/app", bare)
	url := s.URL() + "/acme/app.git/info/refs?service=git-upload-pack"
	if resp := call(t, "GET", url, nil, nil); resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	req.SetBasicAuth("gitlab-ci-token", j.Payload.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-git-upload-pack-advertisement" {
		t.Errorf("with the job token: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	j.SetStatus("success")
	req2, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	req2.SetBasicAuth("gitlab-ci-token", j.Payload.Token)
	if resp2, err := http.DefaultClient.Do(req2); err != nil || resp2.StatusCode != 401 {
		t.Errorf("token of a finished job: %v %v", resp2, err)
	} else {
		resp2.Body.Close()
	}
}
