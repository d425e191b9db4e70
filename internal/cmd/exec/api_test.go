package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
	"github.com/jobrun/jobrun/internal/jobapi"
)

func TestNoAPIFlag(t *testing.T) {
	t.Parallel()
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, LookupEnv: func(string) (string, bool) { return "", false }}
	var got *Options
	cmd := NewCmdExec(f, func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--no-api"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if !got.NoAPI {
		t.Error("--no-api did not set Options.NoAPI")
	}
}

func TestDecodeProjects(t *testing.T) {
	t.Parallel()
	base := "/work/app"
	tests := []struct {
		name    string
		raw     any
		want    []jobapi.Project
		wantErr string
	}{
		{"none", nil, nil, ""},
		{"secure default scope, relative dir", []any{map[string]any{"id": 2, "path": "group/lib", "dir": "../lib"}},
			[]jobapi.Project{{ID: 2, FullPath: "group/lib", Dir: "/work/lib"}}, ""},
		{"everything", []any{map[string]any{"id": 3, "path": "g/pub", "dir": "/srv/pub", "visibility": "public",
			"job_token_scope": map[string]any{"allow_all_projects": true, "allowlist": []any{"g/app", "1"}}}},
			[]jobapi.Project{{ID: 3, FullPath: "g/pub", Dir: "/srv/pub", Visibility: jobapi.Public,
				TokenScope: jobapi.TokenScope{AllowAllProjects: true, Allowlist: []string{"g/app", "1"}}}}, ""},
		{"not a list", map[string]any{"id": 2}, nil, "exec.projects: expected a list of projects"},
		{"not a map", []any{"group/lib"}, nil, "exec.projects[0]: expected a map"},
		{"misspelt key", []any{map[string]any{"id": 2, "path": "g/lib", "dir": "x", "job_token_scop": map[string]any{}}},
			nil, "exec.projects[0]: field job_token_scop not found"},
		{"id not a number", []any{map[string]any{"id": "two", "path": "g/lib", "dir": "x"}}, nil, "exec.projects[0]: cannot unmarshal"},
		{"no dir", []any{map[string]any{"id": 2, "path": "g/lib"}}, nil, "exec.projects[0] (g/lib): dir: expected the project's directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := decodeProjects(tc.raw, base)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || cmdutil.ExitCode(err) != cmdutil.ExitBadInput {
					t.Fatalf("err = %v (exit %d), want exit 2 with %q", err, cmdutil.ExitCode(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("projects (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExecProjectsRefused: a project jobrun.yaml declares with the
// pipeline's own id, or a bad visibility, stops the run with exit 2
// before any job runs.
func TestExecProjectsRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, want string
		project    map[string]any
	}{
		{"own id", "id 1 is used twice", map[string]any{"id": 1, "path": "g/lib", "dir": "."}},
		{"visibility", `visibility "secret": expected private, internal or public`,
			map[string]any{"id": 2, "path": "g/lib", "dir": ".", "visibility": "secret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, ".gitlab-ci.yml", "job:\n  script: [touch ran]\n")
			gitInit(t, dir)
			r := execPipeline(context.Background(), t, dir, nil, func(o *Options) { o.ProjectsConfig = []any{tc.project} })
			if r.exitCode != cmdutil.ExitBadInput || !strings.Contains(r.errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 with %q", r.exitCode, r.errOut, tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, ".jobrun", "builds", "1", "ran")); err == nil {
				t.Error("the job ran although the configuration is bad")
			}
		})
	}
}

// TestExecWithoutAPI: with --no-api the jobs keep the compiler's server
// variables and no request log is written.
func TestExecWithoutAPI(t *testing.T) {
	t.Parallel()
	needCurl(t)
	dir := t.TempDir()
	writeFile(t, dir, ".gitlab-ci.yml", "job:\n  script: ['echo server=$CI_SERVER_URL', 'curl -s -o /dev/null $CI_API_V4_URL/job || true']\n")
	gitInit(t, dir)
	for _, tc := range []struct {
		noAPI      bool
		wantServer string
	}{{true, "server=https://"}, {false, "server=http://127.0.0.1:"}} {
		r := execPipeline(context.Background(), t, dir, nil, func(o *Options) { o.NoAPI = tc.noAPI })
		if r.exitCode != 0 || !strings.Contains(r.logs["job.log"], tc.wantServer) {
			t.Errorf("--no-api=%v: exit %d, log lacks %q:\n%s", tc.noAPI, r.exitCode, tc.wantServer, r.logs["job.log"])
		}
		_, err := os.Stat(filepath.Join(dir, ".jobrun", "logs", "1", "api.log"))
		if tc.noAPI && err == nil {
			t.Error("--no-api wrote api.log")
		}
		if !tc.noAPI && err != nil {
			t.Errorf("no api.log: %v", err)
		}
	}
}

func writeFile(t *testing.T, dir, name, body string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestExecVerboseRequestLog: with --verbose the request log goes to
// stderr as well, token masked.
func TestExecVerboseRequestLog(t *testing.T) {
	t.Parallel()
	needCurl(t)
	dir := t.TempDir()
	writeFile(t, dir, ".gitlab-ci.yml", "job:\n  script: ['curl -s -o /dev/null \"$CI_API_V4_URL/job?job_token=$CI_JOB_TOKEN\"']\n")
	gitInit(t, dir)
	r := execPipeline(context.Background(), t, dir, nil, func(o *Options) { o.Verbose = true })
	want := "GET /api/v4/job?job_token=[MASKED] job=1 project=local/"
	if r.exitCode != 0 || !strings.Contains(r.errOut, want) {
		t.Errorf("exit %d; stderr lacks %q:\n%s", r.exitCode, want, r.errOut)
	}
	r.assertAbsent(t)
}

// TestExecTriggerLimits: a job that triggers its own project's pipeline
// stops after maxDownstreamDepth levels, and a project whose pipeline
// cannot be compiled answers 400; both say why in the triggering job's
// log.
func TestExecTriggerLimits(t *testing.T) {
	t.Parallel()
	needCurl(t)
	trigger := `echo "trigger $TARGET: $(curl -s -o /dev/null -w "%{http_code}" --form token=$CI_JOB_TOKEN --form ref=main --form "variables[TARGET]=$TARGET" "$CI_API_V4_URL/projects/$TARGET/trigger/pipeline")"`
	tests := []struct {
		name, target string
		want         []string
	}{
		{"own project, recursively", "1", []string{
			"jobrun: not triggering local/", ": 3 pipelines deep already (at most 3 downstream levels run locally)", "trigger 1: 400"}},
		{"no pipeline file", "2", []string{"jobrun: the downstream pipeline of group/empty could not run:", "trigger 2: 400"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			writeFile(t, dir, ".gitlab-ci.yml", "job:\n  script:\n    - '"+trigger+"'\n")
			gitInit(t, dir)
			empty := t.TempDir()
			writeFile(t, empty, "README", "no pipeline\n")
			gitInit(t, empty)
			r := execPipeline(context.Background(), t, dir, map[string]string{}, func(o *Options) {
				o.Vars = []string{"TARGET=" + tc.target}
				o.ProjectsConfig = []any{map[string]any{"id": 2, "path": "group/empty", "dir": empty,
					"job_token_scope": map[string]any{"allow_all_projects": true}}}
			})
			all := r.out
			for _, l := range r.logs {
				all += l
			}
			for _, want := range tc.want {
				if !strings.Contains(all, want) {
					t.Errorf("output and logs lack %q:\n%s", want, all)
				}
			}
			r.assertAbsent(t)
		})
	}
}

// TestExecProjectPathGitLabRefuses: a directory name that is no valid
// GitLab path (local/my app) runs the jobs without the API, with a
// warning.
func TestExecProjectPathGitLabRefuses(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "my app")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, ".gitlab-ci.yml", "job:\n  script: ['echo server=$CI_SERVER_URL']\n")
	gitInit(t, dir)
	r := execPipeline(context.Background(), t, dir, nil, nil)
	want := "jobrun: warning: the local job API is off: project 1: path \"local/my app\""
	if r.exitCode != 0 || !strings.Contains(r.errOut, want) || !strings.Contains(r.out, "server=https://") {
		t.Errorf("exit %d, stderr %q, want exit 0 and %q\n%s", r.exitCode, r.errOut, want, r.out)
	}
}

// TestExecConcurrentJobsOwnTokens: jobs running at the same time each
// get their own job from GET /job, many times over.
func TestExecConcurrentJobsOwnTokens(t *testing.T) {
	t.Parallel()
	needCurl(t)
	dir := t.TempDir()
	script := `for i in 1 2 3 4 5 6 7 8; do curl -sf --header "JOB-TOKEN: $CI_JOB_TOKEN" "$CI_API_V4_URL/job" | grep -q "\"name\":\"$CI_JOB_NAME\"" || { echo "mixed up"; exit 1; }; done; echo "own job 8 times"`
	var ci strings.Builder
	for _, name := range []string{"a", "b", "c", "d"} {
		ci.WriteString(name + ":\n  script:\n    - '" + script + "'\n")
	}
	writeFile(t, dir, ".gitlab-ci.yml", ci.String())
	gitInit(t, dir)
	r := execPipeline(context.Background(), t, dir, nil, func(o *Options) { o.Concurrency = 4 })
	if r.exitCode != 0 {
		t.Fatalf("exit %d:\n%s", r.exitCode, r.out)
	}
	for _, name := range []string{"a", "b", "c", "d"} {
		if !strings.Contains(r.logs[name+".log"], "own job 8 times") {
			t.Errorf("%s.log:\n%s", name, r.logs[name+".log"])
		}
	}
}
