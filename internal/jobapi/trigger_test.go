package jobapi

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// triggerRecorder is a TriggerFunc that remembers its requests and
// reports a finished downstream pipeline, as exec's would.
type triggerRecorder struct {
	mu       sync.Mutex
	requests []TriggerRequest
	fail     bool
}

func (r *triggerRecorder) trigger(_ context.Context, req TriggerRequest) (Pipeline, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return Pipeline{}, errors.New("no .gitlab-ci.yml in group/down")
	}
	r.requests = append(r.requests, req)
	return Pipeline{ID: 900 + int64(len(r.requests)), IID: 1, SHA: "feedface", Status: "success"}, nil
}

func TestTriggerWithCurlForm(t *testing.T) {
	t.Parallel()
	down := Project{ID: 3, FullPath: "group/down", TokenScope: TokenScope{Allowlist: []string{"group/app"}}}
	rec := &triggerRecorder{}
	ts := startServer(t, Config{Projects: append(appProjects(), down), Trigger: rec.trigger})
	token := ts.register(t, 1, 11, "deploy")

	// curl --form token=$CI_JOB_TOKEN --form ref=main --form "variables[ENV]=staging",
	// with the form fields in curl's config so the token is not in argv.
	config := `form = "token=` + token + "\"\nform = \"ref=main\"\nform = \"variables[ENV]=staging\"\n"
	res := curl(t, config, ts.URL()+"/api/v4/projects/group%2Fdown/trigger/pipeline")
	if res.status != 201 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	var p pipelineResponse
	if err := json.Unmarshal(res.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.ID != 901 || p.ProjectID != 3 || p.Ref != "main" || p.Status != "success" || p.Source != "pipeline" || p.SHA != "feedface" {
		t.Errorf("pipeline = %+v", p)
	}
	if len(rec.requests) != 1 {
		t.Fatalf("trigger called %d times", len(rec.requests))
	}
	got := rec.requests[0]
	if got.Project.ID != 3 || got.Ref != "main" || got.Upstream.JobID != 11 ||
		!cmp.Equal(got.Variables, map[string]string{"ENV": "staging"}) {
		t.Errorf("trigger request = %+v", got)
	}

	// urlencoded, as `curl --data` sends it, also works.
	res = curl(t, `data = "token=`+token+"&ref=v1.0\"\n", ts.URL()+"/api/v4/projects/3/trigger/pipeline")
	if res.status != 201 || len(rec.requests) != 2 || rec.requests[1].Ref != "v1.0" {
		t.Errorf("urlencoded trigger: %d %s", res.status, res.body)
	}

	// A JSON body, as API clients send it.
	res = curl(t, `header = "Content-Type: application/json"`+"\n"+`data = "{\"token\":\"`+token+`\",\"ref\":\"dev\",\"variables\":{\"A\":\"1\"}}"`+"\n",
		ts.URL()+"/api/v4/projects/3/trigger/pipeline")
	if res.status != 201 || len(rec.requests) != 3 || rec.requests[2].Ref != "dev" || rec.requests[2].Variables["A"] != "1" {
		t.Errorf("JSON trigger: %d %s", res.status, res.body)
	}
	assertNoSecret(t, ts.log.String(), ts.dataDir, token)
}

func TestTriggerRejects(t *testing.T) {
	t.Parallel()
	rec := &triggerRecorder{}
	ts := startServer(t, Config{Projects: append(appProjects(), Project{ID: 3, FullPath: "group/down"}), Trigger: rec.trigger})
	token := ts.register(t, 1, 11, "deploy")
	revoked := ts.register(t, 1, 12, "done")
	ts.Revoke(revoked)
	failing := &triggerRecorder{fail: true}
	tsFail := startServer(t, Config{Projects: appProjects(), Trigger: failing.trigger})
	failToken := tsFail.register(t, 1, 13, "deploy")
	tests := []struct {
		name, config, url string
		wantStatus        int
	}{
		{"revoked token", `form = "token=` + revoked + "\"\nform = \"ref=main\"\n", ts.URL() + "/api/v4/projects/1/trigger/pipeline", 401},
		{"missing ref", `form = "token=` + token + "\"\n", ts.URL() + "/api/v4/projects/1/trigger/pipeline", 400},
		{"bad variable key", `form = "token=` + token + "\"\nform = \"ref=main\"\nform = \"variables[A-B]=1\"\n", ts.URL() + "/api/v4/projects/1/trigger/pipeline", 400},
		{"private project not on the allowlist", `form = "token=` + token + "\"\nform = \"ref=main\"\n", ts.URL() + "/api/v4/projects/3/trigger/pipeline", 404},
		{"pipeline could not run", `form = "token=` + failToken + "\"\nform = \"ref=main\"\n", tsFail.URL() + "/api/v4/projects/1/trigger/pipeline", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if res := curl(t, tt.config, tt.url); res.status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", res.status, tt.wantStatus, res.body)
			}
		})
	}
	t.Cleanup(func() {
		if len(rec.requests) != 0 {
			t.Errorf("rejected triggers reached the callback: %+v", rec.requests)
		}
	})
}
