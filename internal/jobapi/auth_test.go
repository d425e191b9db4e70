package jobapi

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
)

func basic(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func TestPresentedToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		header     http.Header
		params     url.Values
		kind       routeKind
		wantToken  string
		wantSource string
	}{
		{"JOB-TOKEN header", http.Header{"Job-Token": {"t1"}}, nil, routeJob, "t1", "JOB-TOKEN header"},
		{"job_token parameter", nil, url.Values{"job_token": {"t2"}}, routeJob, "t2", "job_token parameter"},
		{"header wins over parameter", http.Header{"Job-Token": {"t1"}}, url.Values{"job_token": {"t2"}}, routeJob, "t1", "JOB-TOKEN header"},
		{"bearer", http.Header{"Authorization": {"Bearer t3"}}, nil, routeJob, "t3", "bearer"},
		{"token= on a trigger", nil, url.Values{"token": {"t4"}}, routeTrigger, "t4", "token parameter"},
		{"token= elsewhere is not a job token", nil, url.Values{"token": {"t4"}}, routeJob, "", ""},
		{"basic auth on packages, any user", http.Header{"Authorization": {basic("anyone", "t5")}}, nil, routePackagePut, "t5", "basic auth"},
		{"basic auth not on GET /job", http.Header{"Authorization": {basic("gitlab-ci-token", "t5")}}, nil, routeJob, "", ""},
		{"git: gitlab-ci-token", http.Header{"Authorization": {basic("gitlab-ci-token", "t6")}}, nil, routeGit, "t6", "basic auth"},
		{"git: other user", http.Header{"Authorization": {basic("root", "t6")}}, nil, routeGit, "", ""},
		{"git: JOB-TOKEN header is not git auth", http.Header{"Job-Token": {"t7"}}, nil, routeGit, "", ""},
		{"git: empty password", http.Header{"Authorization": {basic("gitlab-ci-token", "")}}, nil, routeGit, "", ""},
		{"nothing", nil, nil, routeJob, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := presentedToken(tt.header, tt.params, tt.kind)
			if got.token != tt.wantToken || got.source != tt.wantSource {
				t.Errorf("presentedToken = %q from %q, want %q from %q", got.token, got.source, tt.wantToken, tt.wantSource)
			}
		})
	}
}

// FuzzPresentedToken feeds arbitrary header and parameter values: the
// result is always one of the presented values, git only ever accepts
// basic auth as gitlab-ci-token, and nothing panics.
func FuzzPresentedToken(f *testing.F) {
	f.Add("t1", "", "", "", uint8(routeJob))
	f.Add("", "t2", "", "", uint8(routeJob))
	f.Add("", "", "t3", "", uint8(routeTrigger))
	f.Add("", "", "", basic("gitlab-ci-token", "t4"), uint8(routeGit))
	f.Add("", "", "", "Basic !!!", uint8(routePackageGet))
	f.Add("", "", "", "Bearer ", uint8(routeJob))
	f.Fuzz(func(t *testing.T, header, jobToken, token, authorization string, kind uint8) {
		k := routeKind(kind % uint8(routeGit+1))
		h := http.Header{}
		if header != "" {
			h.Set("Job-Token", header)
		}
		if authorization != "" {
			h.Set("Authorization", authorization)
		}
		params := url.Values{}
		if jobToken != "" {
			params.Set("job_token", jobToken)
		}
		if token != "" {
			params.Set("token", token)
		}
		got := presentedToken(h, params, k)
		if got.token == "" {
			if got.source != "" {
				t.Fatalf("source %q without a token", got.source)
			}
			return
		}
		user, pass, isBasic := basicAuth(h)
		switch {
		case k == routeGit && (!isBasic || user != jobTokenUser || got.token != pass):
			t.Fatalf("git accepted %q from %q", got.token, got.source)
		case got.token != header && got.token != jobToken && got.token != token && got.token != pass &&
			"Bearer "+got.token != authorization && "bearer "+got.token != authorization:
			if len(authorization) < len(got.token) || authorization[len(authorization)-len(got.token):] != got.token {
				t.Fatalf("token %q was not presented", got.token)
			}
		}
	})
}
