package gitsource_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/gitsource"
	"github.com/jobrun/jobrun/internal/job"
)

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

// project creates a bare repository with three commits on main, served
// by a fake coordinator, and a running job of that project.
func project(t *testing.T) (*gitlabfake.Server, *job.Payload, []string) {
	t.Helper()
	base := t.TempDir()
	work, bare := filepath.Join(base, "work"), filepath.Join(base, "app.git")
	must(t, os.Mkdir(work, 0o755))
	git(t, work, "init", "-q")
	var shas []string
	for i, name := range []string{"a", "b", "c"} {
		must(t, os.WriteFile(filepath.Join(work, name), []byte(name), 0o644))
		git(t, work, "add", name)
		git(t, work, "commit", "-q", "-m", "commit "+string(rune('1'+i)))
		shas = append(shas, git(t, work, "rev-parse", "HEAD"))
	}
	git(t, base, "clone", "-q", "--bare", work, bare)
	fake := gitlabfake.New(t, gitlabfake.Options{})
	fake.AddRepo("acme/app", bare)
	fake.Enqueue(job.Payload{
		AllowGitFetch: true,
		JobInfo:       job.JobInfo{Name: "build", ProjectFullPath: "acme/app"},
		GitInfo:       job.GitInfo{Ref: "main", Sha: shas[2], RefType: "branch", Refspecs: []string{"+refs/heads/main:refs/remotes/origin/main"}},
	})
	c, err := client.New(client.Options{URL: fake.URL(), Version: "test"})
	must(t, err)
	p, _, err := c.RequestJob(t.Context(), fake.RunnerToken(), "")
	if err != nil || p == nil {
		t.Fatalf("RequestJob: %v %v", p, err)
	}
	return fake, p, shas
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// argvLogger is a git wrapper that logs its arguments and environment
// names, so the test can prove the token never reached argv.
func argvLogger(t *testing.T) (gitPath, logPath string) {
	dir := t.TempDir()
	real, err := exec.LookPath("git")
	must(t, err)
	logPath = filepath.Join(dir, "argv.log")
	gitPath = filepath.Join(dir, "git")
	script := "#!/bin/sh\nprintf '%s\\n' \"$*\" >>" + logPath + "\nexec " + real + " \"$@\"\n"
	must(t, os.WriteFile(gitPath, []byte(script), 0o755))
	return gitPath, logPath
}

func TestGetStrategies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		vars        job.Variables
		depth       int
		previous    bool // a working copy from an earlier job exists
		wantCommits string
		wantReused  bool
		wantNoGit   bool
	}{
		{name: "clone, depth 1", vars: job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}}, depth: 1, wantCommits: "1"},
		{name: "clone, full", vars: job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}}, wantCommits: "3"},
		{name: "GIT_DEPTH overrides git_info.depth", vars: job.Variables{{Key: "GIT_DEPTH", Value: "2"}}, depth: 1, wantCommits: "2"},
		{name: "fetch reuses the working copy", vars: job.Variables{{Key: "GIT_STRATEGY", Value: "fetch"}}, previous: true, wantCommits: "3", wantReused: true},
		{name: "clone starts afresh", vars: job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}}, previous: true, wantCommits: "3"},
		{name: "none leaves the directory alone", vars: job.Variables{{Key: "GIT_STRATEGY", Value: "none"}}, wantNoGit: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, p, shas := project(t)
			p.Variables = append(p.Variables, tt.vars...)
			p.GitInfo.Depth = tt.depth
			dir := filepath.Join(t.TempDir(), "builds", "acme", "app")
			gitPath, argvLog := argvLogger(t)
			var out bytes.Buffer
			if tt.previous {
				o, err := gitsource.FromPayload(p, dir, &out)
				must(t, err)
				o.Git = gitPath
				must(t, gitsource.Get(t.Context(), o))
				must(t, os.WriteFile(filepath.Join(dir, ".git", "marker"), nil, 0o644))
				must(t, os.WriteFile(filepath.Join(dir, "untracked"), nil, 0o644))
			}
			o, err := gitsource.FromPayload(p, dir, &out)
			must(t, err)
			o.Git = gitPath
			if err := gitsource.Get(t.Context(), o); err != nil {
				t.Fatalf("Get: %v\n%s", err, out.String())
			}
			assertNoToken(t, p.Token, out.Bytes(), "output")
			if data, err := os.ReadFile(argvLog); err == nil {
				assertNoToken(t, p.Token, data, "git argv")
			}
			if tt.wantNoGit {
				if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
					t.Error("GIT_STRATEGY=none created a repository")
				}
				return
			}
			if head := git(t, dir, "rev-parse", "HEAD"); head != shas[2] {
				t.Errorf("HEAD = %s, want %s", head, shas[2])
			}
			if n := git(t, dir, "rev-list", "--count", "HEAD"); n != tt.wantCommits {
				t.Errorf("%s commits, want %s", n, tt.wantCommits)
			}
			config, err := os.ReadFile(filepath.Join(dir, ".git", "config"))
			must(t, err)
			assertNoToken(t, p.Token, config, ".git/config")
			if url := git(t, dir, "config", "remote.origin.url"); strings.Contains(url, "@") || !strings.HasSuffix(url, "/acme/app.git") {
				t.Errorf("remote URL %q", url)
			}
			_, markerErr := os.Stat(filepath.Join(dir, ".git", "marker"))
			if (markerErr == nil) != tt.wantReused {
				t.Errorf("working copy reused = %v, want %v", markerErr == nil, tt.wantReused)
			}
			if _, err := os.Stat(filepath.Join(dir, "untracked")); err == nil {
				t.Error("untracked file survived (git clean)")
			}
		})
	}
}

func assertNoToken(t *testing.T, token string, data []byte, where string) {
	t.Helper()
	if bytes.Contains(data, []byte(token)) {
		t.Errorf("job token found in %s", where)
	}
}

// A wrong token fails the checkout with an error that does not echo it.
func TestGetWrongToken(t *testing.T) {
	t.Parallel()
	_, p, _ := project(t)
	dir := t.TempDir()
	o, err := gitsource.FromPayload(p, dir, nil)
	must(t, err)
	o.RepoURL = strings.Replace(o.RepoURL, p.Token, "glcbt-not-the-token", 1)
	var out bytes.Buffer
	o.Output = &out
	err = gitsource.Get(t.Context(), o)
	if err == nil {
		t.Fatal("checkout with a wrong token succeeded")
	}
	if strings.Contains(err.Error()+out.String(), "glcbt-not-the-token") {
		t.Errorf("the token was echoed: %v\n%s", err, out.String())
	}
}

func TestFromPayload(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		allowFetch    bool
		vars          job.Variables
		wantStrategy  string
		wantDepth     int
		wantErrSubstr string
	}{
		{name: "default is fetch", allowFetch: true, wantStrategy: "fetch", wantDepth: 20},
		{name: "fetch not allowed", wantStrategy: "clone", wantDepth: 20},
		{name: "GIT_DEPTH 0 means full", allowFetch: true, vars: job.Variables{{Key: "GIT_DEPTH", Value: "0"}}, wantStrategy: "fetch"},
		{name: "bad GIT_DEPTH", vars: job.Variables{{Key: "GIT_DEPTH", Value: "-1"}}, wantErrSubstr: `GIT_DEPTH "-1"`},
		{name: "bad GIT_STRATEGY", vars: job.Variables{{Key: "GIT_STRATEGY", Value: "copy"}}, wantErrSubstr: `GIT_STRATEGY "copy": want none, fetch or clone`},
	}
	for _, tt := range tests {
		p := &job.Payload{AllowGitFetch: tt.allowFetch, GitInfo: job.GitInfo{Depth: 20}, Variables: tt.vars}
		o, err := gitsource.FromPayload(p, "/x", nil)
		if tt.wantErrSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErrSubstr) {
				t.Errorf("%s: err = %v", tt.name, err)
			}
			continue
		}
		if err != nil || o.Strategy != tt.wantStrategy || o.Depth != tt.wantDepth {
			t.Errorf("%s: %s/%d, %v; want %s/%d", tt.name, o.Strategy, o.Depth, err, tt.wantStrategy, tt.wantDepth)
		}
	}
}

// A credential store configured for the user (credential.helper=store in
// ~/.gitconfig) never sees the job token: the checkout's helper list
// starts empty.
func TestGetIgnoresConfiguredCredentialHelpers(t *testing.T) {
	t.Parallel()
	_, p, _ := project(t)
	home := t.TempDir()
	must(t, os.WriteFile(filepath.Join(home, ".gitconfig"), []byte("[credential]\n\thelper = store\n"), 0o644))
	o, err := gitsource.FromPayload(p, filepath.Join(t.TempDir(), "src"), nil)
	must(t, err)
	o.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	if err := gitsource.Get(t.Context(), o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, ".git-credentials")); err == nil {
		t.Error("the job token was written to ~/.git-credentials")
	}
	_ = filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			data, _ := os.ReadFile(path)
			assertNoToken(t, p.Token, data, path)
		}
		return nil
	})
}
