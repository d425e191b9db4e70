package jobapi

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitEnv is an environment for git that ignores the user's configuration.
func gitEnv(extra ...string) []string {
	return append(os.Environ(), append([]string{
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid",
	}, extra...)...)
}

func runGit(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(requireTool(t, "git"), args...)
	cmd.Dir, cmd.Env = dir, env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// newRepo makes a working tree with one commit.
func newRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}} {
		if out, err := runGit(t, dir, gitEnv(), args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("hello from lib\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"add", "."}, {"commit", "-q", "-m", "first"}} {
		if out, err := runGit(t, dir, gitEnv(), args...); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return dir
}

// credentialHelper makes git answer the server's basic-auth challenge with
// gitlab-ci-token and the token from $JOB_TOKEN: the same request as a
// clone of https://gitlab-ci-token:<token>@host/path.git, without putting
// the token in git's argv.
func credentialHelper(token string) []string {
	return gitEnv("JOB_TOKEN="+token, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=credential.helper",
		`GIT_CONFIG_VALUE_0=!f() { echo username=gitlab-ci-token; echo "password=$JOB_TOKEN"; }; f`)
}

func TestGitCloneWithJobToken(t *testing.T) {
	t.Parallel()
	lib := newRepo(t)
	projects := []Project{
		{ID: 1, FullPath: "group/app"},
		{ID: 2, FullPath: "group/lib", Dir: lib, TokenScope: TokenScope{Allowlist: []string{"group/app"}}},
		{ID: 3, FullPath: "group/secret", Dir: lib},
	}
	ts := startServer(t, Config{Projects: projects})
	token := ts.register(t, 1, 51, "clone")
	revoked := ts.register(t, 1, 52, "ended")
	ts.Revoke(revoked)
	work := t.TempDir()

	out, err := runGit(t, work, credentialHelper(token), "clone", "-q", ts.URL()+"/group/lib.git", "lib")
	if err != nil {
		t.Fatalf("clone: %v\n%s", err, out)
	}
	if got, err := os.ReadFile(filepath.Join(work, "lib", "README.md")); err != nil || string(got) != "hello from lib\n" {
		t.Fatalf("cloned README.md = %q, %v", got, err)
	}

	// The clone URL exec gives jobs, https://gitlab-ci-token:<token>@host/path.git:
	// git reads the credentials from the URL itself and sends them after
	// the server's challenge. insteadOf puts them in the URL from the
	// environment, so the token still stays out of argv.
	repoURL := ts.RepositoryURL("group/lib", token)
	if want := strings.Replace(ts.URL(), "://", "://gitlab-ci-token:"+token+"@", 1) + "/group/lib.git"; repoURL != want {
		t.Fatalf("RepositoryURL = %q, want %q", repoURL, want)
	}
	withUserinfo := strings.TrimSuffix(repoURL, "/group/lib.git")
	urlEnv := gitEnv("GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=url."+withUserinfo+"/.insteadOf", "GIT_CONFIG_VALUE_0="+ts.URL()+"/")
	if out, err := runGit(t, work, urlEnv, "clone", "-q", ts.URL()+"/group/lib.git", "lib-url"); err != nil {
		t.Fatalf("clone with credentials in the URL: %v\n%s", err, out)
	}

	tests := []struct {
		name, token, path, want string
	}{
		{"revoked token", revoked, "/group/lib.git", "Authentication failed"},
		{"unknown token", newToken(t), "/group/lib.git", "Authentication failed"},
		{"private project not on the allowlist", token, "/group/secret.git", "not found"},
		{"project without a repository", token, "/group/app.git", "not found"},
		{"a numeric id is not a clone path", token, "/2.git", "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := runGit(t, t.TempDir(), credentialHelper(tt.token), "clone", "-q", ts.URL()+tt.path, "x")
			if err == nil || !strings.Contains(out, tt.want) {
				t.Errorf("clone succeeded or failed for another reason (want %q): %v\n%s", tt.want, err, out)
			}
		})
	}
	t.Run("push is refused", func(t *testing.T) {
		clone := filepath.Join(work, "lib")
		if err := os.WriteFile(filepath.Join(clone, "new"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		env := credentialHelper(token)
		for _, args := range [][]string{{"add", "new"}, {"commit", "-q", "-m", "new"}} {
			if out, err := runGit(t, clone, env, args...); err != nil {
				t.Fatalf("git %v: %v\n%s", args, err, out)
			}
		}
		if out, err := runGit(t, clone, env, "push", "-q", "origin", "HEAD:refs/heads/evil"); err == nil {
			t.Errorf("push succeeded:\n%s", out)
		}
	})
	// Cleanup runs after the parallel subtests above.
	t.Cleanup(func() {
		if n := len(ts.notes.all()); n == 0 {
			t.Error("the denied clone of group/secret left no note")
		}
		assertNoSecret(t, ts.log.String(), ts.dataDir, token, revoked)
	})
}
