package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// gitRepo makes a real repository with two commits on main, a tag on
// HEAD and an origin remote.
func gitRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		testutil.Missing(t, "git is not installed: %v", err)
	}
	dir := t.TempDir()
	env := append(os.Environ(), "GIT_AUTHOR_NAME=Jo Dev", "GIT_AUTHOR_EMAIL=jo@example.com", "GIT_COMMITTER_NAME=Jo Dev",
		"GIT_COMMITTER_EMAIL=jo@example.com", "GIT_AUTHOR_DATE=2026-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2026-01-02T03:04:05Z",
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	run := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run("init", "-q", "-b", "main")
	write(".gitlab-ci.yml", `
on-branch: {script: [x], rules: [{if: $CI_COMMIT_BRANCH}]}
on-tag: {script: [x], rules: [{if: $CI_COMMIT_TAG}]}
docs: {script: [x], rules: [{changes: ["docs/**/*"]}]}
go: {script: [x], rules: [{changes: ["**/*.go"]}]}
`)
	write("docs/a.md", "a")
	run("add", "-A")
	run("commit", "-q", "-m", "first")
	write("cmd/main.go", "package main")
	run("add", "-A")
	run("commit", "-q", "-m", "Add main\n\nLonger description.")
	run("tag", "v1.0.0")
	run("remote", "add", "origin", "git@gitlab.example.com:acme/tools/app.git")
	return dir
}

func TestGitPredefinedVariables(t *testing.T) {
	t.Parallel()
	dir := gitRepo(t)
	ctx := context.Background()
	git, err := ReadGit(ctx, dir)
	if err != nil || git == nil {
		t.Fatalf("ReadGit: %v %v", git, err)
	}
	tests := []struct {
		name    string
		tag     string
		jobs    []string
		want    map[string]string
		unset   []string
		refType string
	}{
		{"branch pipeline", "", []string{"on-branch", "go"},
			map[string]string{"CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_TITLE": "Add main",
				"CI_COMMIT_MESSAGE": "Add main\n\nLonger description.", "CI_COMMIT_DESCRIPTION": "Longer description.",
				"CI_COMMIT_AUTHOR": "Jo Dev <jo@example.com>", "CI_COMMIT_TIMESTAMP": "2026-01-02T03:04:05Z", "CI_DEFAULT_BRANCH": "main",
				"CI_PROJECT_PATH": "acme/tools/app", "CI_PROJECT_NAMESPACE": "acme/tools", "CI_PROJECT_ROOT_NAMESPACE": "acme",
				"CI_PROJECT_NAME": "app", "CI_SERVER_HOST": "gitlab.example.com", "CI_PROJECT_URL": "https://gitlab.example.com/acme/tools/app",
				"CI_PIPELINE_SOURCE": "push", "GITLAB_USER_EMAIL": "jo@example.com", "GITLAB_USER_LOGIN": "jo", "CI_COMMIT_SHORT_SHA": git.SHA[:8], "CI_COMMIT_SHA": git.SHA},
			[]string{"CI_COMMIT_TAG"}, "branch"},
		{"tag pipeline", "v1.0.0", []string{"on-tag", "docs", "go"},
			map[string]string{"CI_COMMIT_TAG": "v1.0.0", "CI_COMMIT_REF_NAME": "v1.0.0", "CI_COMMIT_REF_SLUG": "v1-0-0"},
			[]string{"CI_COMMIT_BRANCH"}, "tag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := Compile(ctx, Options{Dir: dir, Git: git, Tag: tc.tag, Now: fixedNow})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(jobNames(plan), ","); got != strings.Join(tc.jobs, ",") {
				t.Fatalf("jobs = %s, want %s", got, strings.Join(tc.jobs, ","))
			}
			j := plan.Jobs[0]
			// Timestamps come back in the committer's zone: compare the instant.
			for k, want := range tc.want {
				got := varOf(j, k)
				if k == "CI_COMMIT_TIMESTAMP" {
					got = strings.Replace(got, "+00:00", "Z", 1)
				}
				if got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for _, k := range tc.unset {
				if _, ok := j.Payload.Variables.Get(k); ok {
					t.Errorf("%s is set, want unset", k)
				}
			}
			if j.Payload.GitInfo.RefType != tc.refType || j.Payload.GitInfo.Sha != git.SHA {
				t.Errorf("git_info = %+v", j.Payload.GitInfo)
			}
		})
	}
	detached := *git
	detached.Branch = ""
	plan, err := Compile(ctx, Options{Dir: dir, Git: &detached, Now: fixedNow})
	if err != nil || varOf(plan.Jobs[0], "CI_COMMIT_TAG") != "v1.0.0" {
		t.Errorf("a detached HEAD at one tag is a tag pipeline: %v", err)
	}
	if _, err := Compile(ctx, Options{Dir: dir, Git: git, Tag: "v9"}); err == nil || !strings.Contains(err.Error(), "expected one of the tags at HEAD: v1.0.0") {
		t.Errorf("unknown tag: %v", err)
	}
}

func TestReadGitOutsideRepository(t *testing.T) {
	t.Parallel()
	g, err := ReadGit(context.Background(), t.TempDir())
	if g != nil || err != nil {
		t.Errorf("ReadGit outside a repository = %+v, %v; want nil, nil", g, err)
	}
}
