package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Local components: `spec:inputs` with defaults, options and typed
// values, interpolated into keys and values.
func TestIncludeInputs(t *testing.T) {
	t.Parallel()
	component := `spec:
  inputs:
    stage: {default: test}
    job-prefix: {}
    level: {default: info, options: [info, debug]}
    retries: {default: 1}
    tags: {default: [small]}
---
"$[[ inputs.job-prefix ]]-lint":
  stage: $[[ inputs.stage ]]
  retry: $[[ inputs.retries ]]
  tags: $[[ inputs.tags ]]
  script: ["lint --level=$[[ inputs.level ]]"]
`
	tests := []struct {
		name, include, wantErr string
		wantJob, wantStage     string
		wantScript             []string
		wantRetry              int
	}{
		{"defaults", `{local: c.yml, inputs: {job-prefix: go}}`, "", "go-lint", "test", []string{"lint --level=info"}, 1},
		{"given", `{local: c.yml, inputs: {job-prefix: py, stage: build, level: debug, retries: 2}}`, "", "py-lint", "build", []string{"lint --level=debug"}, 2},
		{"missing required", `{local: c.yml}`, `input "job-prefix" is required`, "", "", nil, 0},
		{"unknown input", `{local: c.yml, inputs: {job-prefix: x, colour: red}}`, `unknown input "colour"`, "", "", nil, 0},
		{"not an option", `{local: c.yml, inputs: {job-prefix: x, level: trace}}`, `input "level" is "trace"; expected one of: info, debug`, "", "", nil, 0},
		{"inputs without spec", `{local: plain.yml, inputs: {a: b}}`, "has no `spec: inputs:` header", "", "", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := compileFiles(t, map[string]string{
				".gitlab-ci.yml": "stages: [build, test]\ninclude: " + tc.include + "\n",
				"c.yml":          component,
				"plain.yml":      "j: {script: [x]}\n",
			}, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			j := jobNamed(t, plan, tc.wantJob)
			if j.Stage != tc.wantStage || j.Retry.Max != tc.wantRetry || !cmp.Equal(j.Tags, []string{"small"}) {
				t.Errorf("stage %q retry %d tags %v", j.Stage, j.Retry.Max, j.Tags)
			}
			if diff := cmp.Diff(tc.wantScript, j.Payload.Steps[0].Script); diff != "" {
				t.Errorf("script (-want +got):\n%s", diff)
			}
		})
	}
}
