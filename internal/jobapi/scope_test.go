package jobapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestScopeAllowlist follows the doc's rules end to end with curl: a
// private project refuses the token until the token's project is on its
// allowlist; a public project can be read without an entry.
func TestScopeAllowlist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		lib        Project
		method     string
		wantStatus int
		wantNote   bool
	}{
		{"private, not on the allowlist", Project{ID: 2, FullPath: "group/lib"}, "GET", 404, true},
		{"private, after adding group/app to its allowlist",
			Project{ID: 2, FullPath: "group/lib", TokenScope: TokenScope{Allowlist: []string{"group/app"}}}, "GET", 200, false},
		{"private, limit off", Project{ID: 2, FullPath: "group/lib", TokenScope: TokenScope{AllowAllProjects: true}}, "GET", 200, false},
		{"public, read", Project{ID: 2, FullPath: "group/lib", Visibility: Public}, "GET", 200, false},
		{"internal, read", Project{ID: 2, FullPath: "group/lib", Visibility: Internal}, "GET", 200, false},
		{"public, write", Project{ID: 2, FullPath: "group/lib", Visibility: Public}, "PUT", 404, true},
		{"internal, write after adding to its allowlist",
			Project{ID: 2, FullPath: "group/lib", Visibility: Internal, TokenScope: TokenScope{Allowlist: []string{"1"}}}, "PUT", 201, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, Config{Projects: []Project{{ID: 1, FullPath: "group/app"}, tt.lib}})
			token := ts.register(t, 1, 5, "fetch")
			seedPackage(t, ts.dataDir, "packages/2/dep/1.0/dep.tgz", "lib's package\n")
			url := ts.URL() + "/api/v4/projects/group%2Flib/packages/generic/dep/1.0/dep.tgz"
			args := []string{url}
			if tt.method == "PUT" {
				args = append([]string{"--upload-file", "/dev/null"}, args...)
			}
			res := curl(t, jobTokenHeader(token), args...)
			wantBody := map[int]string{200: "lib's package\n", 201: `"201 Created"`, 404: `"404 Project Not Found"`}[tt.wantStatus]
			if res.status != tt.wantStatus || !strings.Contains(string(res.body), wantBody) {
				t.Errorf("status %d %s, want %d %s", res.status, res.body, tt.wantStatus, wantBody)
			}
			notes := ts.notes.all()
			if tt.wantNote {
				want := "group/lib's job token allowlist lacks group/app"
				if len(notes) != 1 || !strings.Contains(notes[0], want) || ts.notes.jobs[0] != 5 {
					t.Errorf("notes = %q, want one for job 5 containing %q", notes, want)
				}
				if !strings.Contains(ts.log.String(), " denied 404: group/app is not on the CI/CD job token allowlist of group/lib") {
					t.Errorf("request log lacks the denial:\n%s", ts.log.String())
				}
			} else if len(notes) != 0 {
				t.Errorf("unexpected notes %q", notes)
			}
			assertNoSecret(t, ts.log.String()+strings.Join(notes, "\n"), ts.dataDir, token)
		})
	}
}

// TestConcurrentTokensKeepTheirScope runs jobs of two projects at once,
// each asking for its own job and for the other project's package: every
// answer must match the asking token's job and project, never another's.
func TestConcurrentTokensKeepTheirScope(t *testing.T) {
	t.Parallel()
	ts := startServer(t, Config{Projects: []Project{
		{ID: 1, FullPath: "group/app"},
		{ID: 2, FullPath: "group/lib", TokenScope: TokenScope{Allowlist: []string{"group/app"}}},
	}})
	const jobsPerProject = 16
	type job struct {
		id, project int64
		token       string
	}
	var jobs []job
	for i := range 2 * jobsPerProject {
		p := int64(1 + i%2)
		jobs = append(jobs, job{id: int64(1000 + i), project: p, token: ts.register(t, p, int64(1000+i), fmt.Sprint("job", i))})
	}
	client := &http.Client{}
	// Racing requests make the transport dial connections it then never
	// uses; the server sees them as new (not idle) for 5 seconds, which
	// held Close (srv.Shutdown) up to its deadline.
	defer client.CloseIdleConnections()
	get := func(url, token string) (int, []byte, error) {
		req, err := http.NewRequest(http.MethodGet, url, nil)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("JOB-TOKEN", token)
		resp, err := client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		return resp.StatusCode, body, err
	}
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Go(func() {
			for range 10 {
				status, body, err := get(ts.URL()+"/api/v4/job", j.token)
				var got jobResponse
				if err != nil || status != 200 || json.Unmarshal(body, &got) != nil || got.ID != j.id || got.Pipeline.ProjectID != j.project {
					t.Errorf("job %d: GET /job = %d %s %v", j.id, status, body, err)
					return
				}
				// group/app's tokens may read group/lib; group/lib's may not read group/app.
				other := map[int64]string{1: "group%2Flib", 2: "group%2Fapp"}[j.project]
				status, body, err = get(ts.URL()+"/api/v4/projects/"+other+"/packages/generic/p/1/f", j.token)
				want := map[int64]string{1: "404 Package Not Found", 2: "404 Project Not Found"}[j.project]
				if err != nil || status != 404 || !strings.Contains(string(body), want) {
					t.Errorf("job %d (project %d): %d %s %v, want %q", j.id, j.project, status, body, err, want)
					return
				}
			}
		})
	}
	wg.Wait()
	if n := len(ts.notes.all()); n != jobsPerProject*10 {
		t.Errorf("%d notes, want one per denial (%d)", n, jobsPerProject*10)
	}
	for i, id := range ts.notes.jobs {
		if id%2 != 1 {
			t.Errorf("note %d went to job %d, which was never denied", i, id)
		}
	}
}

// seedPackage puts a package file where an earlier run would have left it.
func seedPackage(t *testing.T, dataDir, name, content string) {
	t.Helper()
	path := filepath.Join(dataDir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
