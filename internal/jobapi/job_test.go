package jobapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// appProjects is the pipeline's own project and a private neighbour.
func appProjects() []Project {
	return []Project{{ID: 1, FullPath: "group/app"}, {ID: 2, FullPath: "group/lib"}}
}

func TestJobEndpointAuthentication(t *testing.T) {
	t.Parallel()
	ts := startServer(t, Config{Projects: appProjects()})
	token := ts.register(t, 1, 42, "build")
	revoked := ts.register(t, 1, 43, "old")
	ts.Revoke(revoked)
	url := ts.URL() + "/api/v4/job"
	tests := []struct {
		name       string
		config     string
		url        string
		wantStatus int
	}{
		{"JOB-TOKEN header", jobTokenHeader(token), url, 200},
		{"job_token query parameter", urlConfig(url + "?job_token=" + token), "", 200},
		{"bearer", `header = "Authorization: Bearer ` + token + "\"\n", url, 200},
		{"no token", "", url, 401},
		{"unknown token", jobTokenHeader(newToken(t)), url, 401},
		{"revoked token", jobTokenHeader(revoked), url, 401},
		{"revoked token as parameter", urlConfig(url + "?job_token=" + revoked), "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var args []string
			if tt.url != "" {
				args = append(args, tt.url)
			}
			res := curl(t, tt.config, args...)
			if res.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.status, tt.wantStatus, res.body)
			}
			if tt.wantStatus == http.StatusUnauthorized {
				// A revoked token must be indistinguishable from one never issued.
				if string(res.body) != "{\"message\":\"401 Unauthorized\"}\n" {
					t.Errorf("body %q", res.body)
				}
				return
			}
			var job jobResponse
			if err := json.Unmarshal(res.body, &job); err != nil {
				t.Fatal(err)
			}
			if job.ID != 42 || job.Name != "build" || job.Stage != "test" || job.Status != "running" ||
				job.Pipeline.ID != 142 || job.Pipeline.ProjectID != 1 || job.Ref != "main" || !job.Project.CIJobTokenScopeEnabled {
				t.Errorf("job = %+v", job)
			}
		})
	}
	t.Cleanup(func() { assertNoSecret(t, ts.log.String(), ts.dataDir, token, revoked) })
}

func TestRegisterRejectsUnknownProject(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{Projects: appProjects(), DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Register(newToken(t), JobInfo{ProjectID: 9, JobID: 1}); err == nil {
		t.Error("a job of an unconfigured project was registered")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"no data dir", Config{Projects: appProjects()}},
		{"bad project", Config{Projects: []Project{{ID: 1, FullPath: "a", Visibility: "open"}}, DataDir: t.TempDir()}},
	}
	for _, tt := range tests {
		if _, err := New(tt.cfg); err == nil {
			t.Errorf("%s: New succeeded", tt.name)
		}
	}
}

func TestCloseTwice(t *testing.T) {
	t.Parallel()
	srv, err := New(Config{Projects: appProjects(), DataDir: t.TempDir(), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if got := srv.URL(); !strings.HasPrefix(got, "http://127.0.0.1:") {
		t.Errorf("URL = %q", got)
	}
	for range 2 {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
}
