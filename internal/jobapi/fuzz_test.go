package jobapi

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// FuzzServeHTTP sends arbitrary requests through the whole handler:
// routing, parameter parsing, authentication and scope. Whatever comes
// in, nothing panics, the live token never shows up in the response or
// the request log, and only the live token gets a 2xx answer.
func FuzzServeHTTP(f *testing.F) {
	f.Add(uint8(0), "/api/v4/job", "", "", "", uint8(1))
	f.Add(uint8(0), "/api/v4/job?job_token=glcbt-guess", "", "", "", uint8(0))
	f.Add(uint8(1), "/api/v4/projects/group%2Fapp/packages/generic/p/1.0/f.bin", "", "", "data", uint8(1))
	f.Add(uint8(1), "/api/v4/projects/2/packages/generic/p/1.0/f.bin?select=package_file", "", "", "x", uint8(4))
	f.Add(uint8(2), "/api/v4/projects/1/trigger/pipeline", "application/x-www-form-urlencoded", "", "ref=main&variables[A]=1", uint8(8))
	f.Add(uint8(2), "/api/v4/projects/1/releases", "application/json", "", `{"tag_name":"v1"}`, uint8(1))
	f.Add(uint8(0), "/group/app.git/info/refs?service=git-upload-pack", "", "", "", uint8(4))
	f.Add(uint8(0), "/api/v4/projects/1/jobs/artifacts/main/raw/a/../b?job=x", "", "Bearer x", "", uint8(2))
	// One server per fuzzing process; the fuzz function runs sequentially
	// within it, so swapping the request log per input is safe.
	srv, token := fuzzServer(f)
	f.Fuzz(func(t *testing.T, methodIndex uint8, target, contentType, authorization, body string, use uint8) {
		methods := []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodHead, http.MethodDelete}
		method := methods[int(methodIndex)%len(methods)]
		u, err := url.ParseRequestURI(target)
		if err != nil || u.Host != "" || u.Scheme != "" {
			return
		}
		// Bits of use say where the live token goes: 1 JOB-TOKEN header,
		// 2 job_token parameter, 4 basic auth as gitlab-ci-token, 8 token=.
		req := &http.Request{Method: method, URL: u, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Host: "127.0.0.1"}
		req = req.WithContext(t.Context())
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		if authorization != "" {
			req.Header.Set("Authorization", authorization)
		}
		if use&1 != 0 {
			req.Header.Set("Job-Token", token)
		}
		q := u.Query()
		if use&2 != 0 {
			q.Set("job_token", token)
		}
		if use&8 != 0 {
			q.Set("token", token)
		}
		u.RawQuery = q.Encode()
		if use&4 != 0 {
			req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("gitlab-ci-token:"+token)))
		}
		log := &strings.Builder{}
		srv.cfg.RequestLog = log
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, req)
		if strings.Contains(w.Body.String(), token) || strings.Contains(log.String(), token) {
			t.Fatalf("token leaked: response %q log %q", w.Body.String(), log.String())
		}
		if w.Code < 300 && use == 0 && !strings.Contains(authorization+target, token) {
			t.Fatalf("%s %s answered %d without the token", method, target, w.Code)
		}
		if strings.Count(log.String(), "\n") != 1 {
			t.Fatalf("request log %q is not one line", log.String())
		}
	})
}

// fuzzServer is a server that is not listening, with one live token.
func fuzzServer(t testing.TB) (*Server, string) {
	srv, err := New(Config{
		Projects: []Project{{ID: 1, FullPath: "group/app"}, {ID: 2, FullPath: "group/lib", Visibility: Public}},
		DataDir:  t.TempDir(),
		Trigger:  (&triggerRecorder{}).trigger,
		Now:      fixedClock,
	})
	if err != nil {
		t.Fatal(err)
	}
	token := "glcbt-fuzzlivetoken0123456789"
	if err := srv.Register(token, JobInfo{ProjectID: 1, JobID: 1}); err != nil {
		t.Fatal(err)
	}
	return srv, token
}
