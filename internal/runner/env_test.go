package runner

import (
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
