package lint

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

const suppressFixture = "testdata/formats/suppressed.toml"

func TestSuppressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		opts           Options
		wantSuppressed int
		wantActive     []string // codes still reported
	}{
		{"inline comments", Options{}, 5, nil},
		{"no-ignores reports everything", Options{NoIgnores: true}, 0, []string{"JR031", "JR031", "JR039", "JR030", "JR032"}},
		{"an ignore entry for another runner does nothing extra", Options{Ignores: []Ignore{{"JR030", "other"}}}, 5, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := lintFixture(t, suppressFixture, tc.opts)
			var active []string
			for _, f := range r.Files[0].Findings {
				if !f.Suppressed {
					active = append(active, f.Code)
				}
			}
			if got := r.Summary().Suppressed; got != tc.wantSuppressed {
				t.Errorf("suppressed %d, want %d", got, tc.wantSuppressed)
			}
			if diff := cmp.Diff(tc.wantActive, active); diff != "" {
				t.Errorf("active findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIgnoreEntriesByRunnerName(t *testing.T) {
	t.Parallel()
	// insecure.toml has no comments that silence anything it reports.
	r := lintFixture(t, "testdata/formats/insecure.toml", Options{Ignores: []Ignore{
		{"docker-privileged", "shared-docker"}, {"JR020", "deploy-shell"}, {"JR020", "shared-docker"},
	}})
	got := map[string]bool{}
	for _, f := range r.Files[0].Findings {
		if f.Suppressed {
			got[f.Code+"@"+f.RunnerName] = true
		}
	}
	want := map[string]bool{"JR030@shared-docker": true, "JR020@deploy-shell": true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("suppressed (-want +got):\n%s", diff)
	}
	if r.Fails(High) != true {
		t.Error("other high findings must still fail the run")
	}
}

func TestParseIgnore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Ignore
		wantErr bool
	}{
		{"JR030:docker-runner-1", Ignore{"JR030", "docker-runner-1"}, false},
		{"docker-privileged:terraform/openstack:2", Ignore{"docker-privileged", "terraform/openstack:2"}, false},
		{"JR999:x", Ignore{}, true},
		{"JR030", Ignore{}, true},
		{"JR030:", Ignore{}, true},
	}
	for _, tc := range tests {
		got, err := ParseIgnore(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseIgnore(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestCommentIgnores(t *testing.T) {
	t.Parallel()
	tests := []struct {
		comment string
		want    []string
	}{
		{"# jobrun: ignore[JR030] reason", []string{"JR030"}},
		{"#jobrun:ignore[JR030, docker-privileged]", []string{"JR030", "docker-privileged"}},
		{"# ignore[JR030]", nil},
		{"# jobrun: ignore[]", nil},
	}
	for _, tc := range tests {
		if diff := cmp.Diff(tc.want, commentIgnores(tc.comment)); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.comment, diff)
		}
	}
}

// TestCheckRunner is the API run and exec use: one runner held in memory.
func TestCheckRunner(t *testing.T) {
	t.Parallel()
	yes := true
	tests := []struct {
		name string
		cfg  runnerconfig.Config
		want map[string]Severity
	}{
		{"privileged docker", runnerconfig.Config{Concurrent: 1, Runners: []runnerconfig.Runner{{
			Executor: "docker", Docker: &runnerconfig.Docker{Privileged: true, AllowedImages: []string{"a/*"}, AllowedServices: []string{"a/*"}, AllowedPrivilegedImages: []string{"docker:*"}, ServicesPrivileged: new(bool)}}}},
			map[string]Severity{"JR030": High}},
		{"privileged docker on a shared host", runnerconfig.Config{Concurrent: 4, Runners: []runnerconfig.Runner{{
			Executor: "docker", Docker: &runnerconfig.Docker{Privileged: true, AllowedImages: []string{"a/*"}, AllowedServices: []string{"a/*"}, AllowedPrivilegedImages: []string{"docker:*"}, ServicesPrivileged: new(bool)}}}},
			map[string]Severity{"JR030": High, "JR004": Medium}},
		{"shell executor", runnerconfig.Config{Runners: []runnerconfig.Runner{{Executor: "shell", FeatureFlags: map[string]bool{"FF_ENABLE_JOB_CLEANUP": true}}}},
			map[string]Severity{"JR020": High}},
		{"kubernetes", runnerconfig.Config{Runners: []runnerconfig.Runner{{Executor: "kubernetes", Kubernetes: &runnerconfig.Kubernetes{
			Privileged: &yes, AllowedImages: []string{"a/*"}, AllowedServices: []string{"a/*"}}}}},
			map[string]Severity{"JR050": High}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := map[string]Severity{}
			for _, f := range CheckRunner(&tc.cfg, 0) {
				got[f.Code] = f.Severity
				if f.Pos != (runnerconfig.Pos{}) {
					t.Errorf("%s: a config held in memory has no positions, got %v", f.Code, f.Pos)
				}
				if f.String() == "" || f.Message == "" {
					t.Errorf("%s: empty message", f.Code)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
	if CheckRunner(&runnerconfig.Config{}, 0) != nil {
		t.Error("CheckRunner on a missing runner must return nothing")
	}
}

func TestRedactLine(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{`  token = "glrt-abcdefghijklmnopqrst"`, `  token = "glrt-… (25 chars)"`},
		{`  token = "${RUNNER_TOKEN}"`, `  token = "${RUNNER_TOKEN}"`},
		{`  password = "s3cret"  # keep`, `  password = "… (6 chars)"  # keep`},
		{`  environment = ["API_KEY=abc123", "LANG=C"]`, `  environment = ["API_KEY=… (6 chars)", "LANG=C"]`},
		{`  pre_build_script = "echo glpat-0123456789abcdefghij"`, `  pre_build_script = "echo glpat-… (26 chars)"`},
		{`  image = "alpine:3.20"`, `  image = "alpine:3.20"`},
		{`  url = "https://ci:hunter2@gitlab.example.com/"`, `  url = "https://ci:… (7 chars)@gitlab.example.com/"`},
		{`  url = "https://gitlab.example.com:8443/"`, `  url = "https://gitlab.example.com:8443/"`},
		{`  x = "http://gitlab-ci-token:${CI_JOB_TOKEN}@host/"`, `  x = "http://gitlab-ci-token:${CI_JOB_TOKEN}@host/"`},
		{`  pre_build_script = "curl -H 'PRIVATE-TOKEN: s3cr3tvalue' https://x/api"`, `  pre_build_script = "curl -H 'PRIVATE-TOKEN: … (11 chars)' https://x/api"`},
		{`  pre_build_script = "export DEPLOY_TOKEN=abc123def; make"`, `  pre_build_script = "export DEPLOY_TOKEN=… (9 chars); make"`},
		{`  pre_build_script = "docker login --password hunter22 reg"`, `  pre_build_script = "docker login --password … (8 chars) reg"`},
		{`  pre_build_script = "echo TOKEN=$CI_JOB_TOKEN"`, `  pre_build_script = "echo TOKEN=$CI_JOB_TOKEN"`},
	}
	for _, tc := range tests {
		if got := redactLine(tc.in); got != tc.want {
			t.Errorf("redactLine(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}
