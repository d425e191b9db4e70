package job

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
)

// The example response from GitLab's runner API reference decodes with no
// unknown field and keeps what the runner relies on.
func TestDecodeRequestResponse(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/request-response.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var p Payload
	if err := dec.Decode(&p); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if p.ID != 8123456789 || p.JobInfo.Name != "build" || p.JobInfo.ProjectFullPath != "acme/jobrun" {
		t.Errorf("job info: got id %d name %q path %q", p.ID, p.JobInfo.Name, p.JobInfo.ProjectFullPath)
	}
	if p.GitInfo.Depth != 20 || p.GitInfo.RefType != RefTypeBranch || len(p.GitInfo.Refspecs) != 2 {
		t.Errorf("git info: %+v", p.GitInfo)
	}
	if p.RunnerInfo.Timeout != 3600 {
		t.Errorf("timeout = %d, want 3600", p.RunnerInfo.Timeout)
	}
	if got := p.Variables.Value("CI_JOB_TOKEN"); got != p.Token {
		t.Errorf("CI_JOB_TOKEN = %q, want the payload token %q", got, p.Token)
	}
	masked := p.Variables.MaskedValues()
	if len(masked) != 2 || masked[0] != p.Token || masked[1] != "s3cr3t-Value_123" {
		t.Errorf("masked values = %q", masked)
	}
	var fileVar, rawVar bool
	for _, v := range p.Variables {
		fileVar = fileVar || (v.Key == "DEPLOY_SSH_KEY" && v.File)
		rawVar = rawVar || (v.Key == "API_KEY" && v.Raw)
	}
	if !fileVar || !rawVar {
		t.Errorf("file/raw flags lost: file=%v raw=%v", fileVar, rawVar)
	}
	if len(p.Steps) != 2 || p.Steps[1].Name != StepAfterScript || p.Steps[0].Script[1] != "go test ./..." {
		t.Errorf("steps: %+v", p.Steps)
	}
	if len(p.Services) != 1 || p.Services[0].Alias != "db" || p.Services[0].Variables.Value("POSTGRES_PASSWORD") != "pw" {
		t.Errorf("services: %+v", p.Services)
	}
	if len(p.Dependencies) != 1 || p.Dependencies[0].ArtifactsFile == nil || p.Dependencies[0].ArtifactsFile.Size != 1048576 {
		t.Errorf("dependencies: %+v", p.Dependencies)
	}
	if len(p.Features.FailureReasons) != 17 || !p.Features.TraceSections {
		t.Errorf("features: %+v", p.Features)
	}
	if p.Credentials[0].Password != p.Token {
		t.Errorf("credentials password is not the job token")
	}
}

// Encoding drops false file/raw flags, as Rails does.
func TestVariableWireFormat(t *testing.T) {
	t.Parallel()
	got, err := json.Marshal(Variables{{Key: "A", Value: "1", Public: true}, {Key: "B", Value: "x", File: true}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"key":"A","value":"1","public":true,"masked":false},{"key":"B","value":"x","public":false,"masked":false,"file":true}]`
	if string(got) != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}

func TestVariablesSetAndRedacted(t *testing.T) {
	t.Parallel()
	var vs Variables
	vs.Set(Variable{Key: "A", Value: "1", Public: true})
	vs.Set(Variable{Key: "S", Value: "secret-value", Masked: true})
	vs.Set(Variable{Key: "A", Value: "2", Public: true})
	if len(vs) != 2 || vs.Value("A") != "2" {
		t.Fatalf("Set: %+v", vs)
	}
	r := vs.Redacted()
	if r.Value("S") != "[MASKED]" || r.Value("A") != "2" || vs.Value("S") != "secret-value" {
		t.Errorf("Redacted: %+v (original %+v)", r, vs)
	}
}
