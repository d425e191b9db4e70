package runner

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

func TestEnvironment(t *testing.T) {
	t.Parallel()
	p := &job.Payload{
		RunnerInfo: job.RunnerInfo{Timeout: 90},
		Variables: job.Variables{
			{Key: "HOME", Value: "/job/home", Public: true},
			{Key: "KEY_FILE", Value: "secret file content", File: true},
			{Key: "CI_PROJECT_DIR", Value: "/from/the/payload", Public: true},
			{Key: "A", Value: "1", Public: true},
		},
	}
	got := environment([]string{"PATH=/bin", "HOME=/host/home", "broken"}, p, "/builds/acme/app",
		map[string]string{"KEY_FILE": "/private/KEY_FILE"}, "CI_RUNNER_VERSION=test")
	want := []string{
		"PATH=/bin",
		"HOME=/job/home",                  // a job variable overrides the host
		"KEY_FILE=/private/KEY_FILE",      // a file variable is its path
		"CI_PROJECT_DIR=/builds/acme/app", // the runner owns this one
		"A=1",
		"CI_BUILDS_DIR=/builds/acme",
		"CI_SERVER=yes",
		"CI_JOB_TIMEOUT=90",
		"CI_JOB_STATUS=running",
		"CI_RUNNER_EXECUTABLE_ARCH=" + runtimeArch(),
		"CI_RUNNER_VERSION=test",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	after := withVar(got, "CI_JOB_STATUS", "failed")
	if len(after) != len(got) || after[len(after)-1] != "CI_JOB_STATUS=failed" {
		t.Errorf("withVar: %q", after)
	}
	for _, kv := range after {
		if kv == "CI_JOB_STATUS=running" {
			t.Errorf("withVar kept the old value")
		}
	}
}

// HostEnv passes what programs need and nothing else of the user's
// session, such as a token in the developer's shell.
func TestHostEnv(t *testing.T) {
	t.Setenv("GITLAB_TOKEN", "glpat-from-the-developers-shell")
	t.Setenv("PATH", "/usr/bin:/bin")
	got := map[string]bool{}
	for _, kv := range HostEnv() {
		k, _, _ := strings.Cut(kv, "=")
		got[k] = true
	}
	if !got["PATH"] || got["GITLAB_TOKEN"] {
		t.Errorf("HostEnv keys: %v", got)
	}
}

// Job variables are expanded as GitLab Runner expands them: against each
// other and the runner's own variables, raw ones left alone.
func TestEnvironmentExpandsVariables(t *testing.T) {
	t.Parallel()
	p := &job.Payload{Variables: job.Variables{
		{Key: "GOPATH", Value: "${CI_PROJECT_DIR}/.go", Public: true},
		{Key: "IMAGE", Value: "$REGISTRY/app:$TAG", Public: true},
		{Key: "REGISTRY", Value: "registry.example.com", Public: true},
		{Key: "TAG", Value: "v$VERSION", Public: true},
		{Key: "VERSION", Value: "1.2", Public: true},
		{Key: "RAW", Value: "$TAG stays", Public: true, Raw: true},
		{Key: "USES_RAW", Value: "[$RAW]", Public: true},
		{Key: "DOLLARS", Value: "cost: $$5 and $1 and $?", Public: true},
		{Key: "UNKNOWN", Value: "a${NOPE}b", Public: true},
		{Key: "LOOP_A", Value: "a$LOOP_B", Public: true},
		{Key: "LOOP_B", Value: "b$LOOP_A", Public: true},
		{Key: "MY_PATH", Value: "$HOME/bin:$PATH", Public: true},
		{Key: "SECRET_FILE", Value: "$TAG is not expanded in a file's content", File: true},
		{Key: "FILE_REF", Value: "at $SECRET_FILE", Public: true},
	}}
	env := map[string]string{}
	for _, kv := range environment([]string{"PATH=/bin", "HOME=/home/dev"}, p, "/builds/acme/app",
		map[string]string{"SECRET_FILE": "/private/SECRET_FILE"}) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	want := map[string]string{
		"GOPATH":      "/builds/acme/app/.go",
		"IMAGE":       "registry.example.com/app:v1.2",
		"RAW":         "$TAG stays",
		"USES_RAW":    "[$TAG stays]",
		"DOLLARS":     "cost: $5 and $1 and $?",
		"UNKNOWN":     "ab",
		"MY_PATH":     "/home/dev/bin:/bin",
		"SECRET_FILE": "/private/SECRET_FILE",
		"FILE_REF":    "at /private/SECRET_FILE",
	}
	for k, w := range want {
		if env[k] != w {
			t.Errorf("%s = %q, want %q", k, env[k], w)
		}
	}
	// A cycle ends (bounded depth) instead of looping.
	if !strings.HasPrefix(env["LOOP_A"], "ab") || len(env["LOOP_A"]) > 64 {
		t.Errorf("LOOP_A = %q", env["LOOP_A"])
	}
}
