package jobapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestCreateRelease(t *testing.T) {
	t.Parallel()
	ts := startServer(t, Config{Projects: appProjects()})
	token := ts.register(t, 1, 31, "release")
	url := ts.URL() + "/api/v4/projects/1/releases"
	body := `{"tag_name":"v1.2.0","name":"One two","description":"notes","ref":"main",` +
		`"assets":{"links":[{"name":"tool","url":"https://example.invalid/tool","link_type":"package"}]}}`
	jsonConfig := jobTokenHeader(token) + `header = "Content-Type: application/json"` + "\n"

	res := curl(t, jsonConfig, "--data", body, url)
	if res.status != 201 {
		t.Fatalf("status %d: %s", res.status, res.body)
	}
	var rel releaseResponse
	if err := json.Unmarshal(res.body, &rel); err != nil {
		t.Fatal(err)
	}
	if rel.TagName != "v1.2.0" || rel.Name != "One two" || rel.Assets.Count != 1 || rel.Commit.ID == "" || rel.JobID != 31 {
		t.Errorf("release = %+v", rel)
	}
	recorded, err := os.ReadFile(filepath.Join(ts.dataDir, "releases", "1", "v1.2.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	var stored releaseResponse
	if err := json.Unmarshal(recorded, &stored); err != nil || stored.Description != "notes" || stored.Project != "group/app" {
		t.Errorf("recorded release %s: %v", recorded, err)
	}

	tests := []struct {
		name, config, data string
		wantStatus         int
	}{
		{"same tag again", jsonConfig, body, 409},
		{"form fields, tag with a slash", jobTokenHeader(token), "tag_name=release/2&description=d", 201},
		{"traversal in tag", jsonConfig, `{"tag_name":"../../x"}`, 400},
		{"no tag", jsonConfig, `{"name":"x"}`, 400},
		{"not JSON", jsonConfig, `{"tag_name":`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := curl(t, tt.config, "--data", tt.data, url); res.status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", res.status, tt.wantStatus, res.body)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(ts.dataDir, "releases", "1", "release%2F2.json")); err != nil {
		t.Errorf("release with a slash in its tag: %v", err)
	}
	assertNoSecret(t, ts.log.String(), ts.dataDir, token)
}
