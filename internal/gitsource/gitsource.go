// Package gitsource checks out a job's sources with the git CLI, as GitLab
// Runner's get-sources step does: GIT_STRATEGY none / fetch / clone,
// GIT_DEPTH, the payload's refspecs and sha. The job token never reaches
// argv or a file: the remote URL is stored without credentials and git
// asks an environment-scoped credential helper that reads the token from
// its own environment.
package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// Strategies of GIT_STRATEGY.
const (
	StrategyNone  = "none"
	StrategyFetch = "fetch"
	StrategyClone = "clone"
)

// tokenEnv is the variable the credential helper reads; it only exists in
// the environment of the git processes of one checkout.
const tokenEnv = "JOBRUN_GIT_PASSWORD"

// credentialHelper answers git's "get" with the username and the password
// from tokenEnv; printf is a shell builtin, so the token reaches no argv.
const credentialHelper = `!f() { test "$1" = get || return 0; printf 'username=%s\npassword=%s\n' "$JOBRUN_GIT_USERNAME" "$` + tokenEnv + `"; }; f`

// Options describe one checkout.
type Options struct {
	// Dir is the project's working copy.
	Dir string
	// RepoURL is git_info.repo_url; credentials in it are removed before
	// git sees the URL and passed through the credential helper instead.
	RepoURL  string
	Sha, Ref string
	Refspecs []string
	// Depth > 0 makes a shallow fetch of that many commits.
	Depth int
	// Strategy is none, fetch or clone ("" means fetch).
	Strategy     string
	ObjectFormat string // "sha1" or "sha256"
	// Output receives progress lines and git's own messages; the caller
	// passes its masked log writer.
	Output io.Writer
	// Git is the git binary (default "git" from PATH).
	Git string
	// Env is the base environment of git; nil means this process's.
	Env []string
}

// FromPayload reads the checkout options of a job: git_info, and the
// GIT_STRATEGY and GIT_DEPTH variables (which override git_info.depth, as
// in GitLab Runner). allow_git_fetch=false turns fetch into clone.
func FromPayload(p *job.Payload, dir string, out io.Writer) (Options, error) {
	o := Options{
		Dir: dir, RepoURL: p.GitInfo.RepoURL, Sha: p.GitInfo.Sha, Ref: p.GitInfo.Ref,
		Refspecs: p.GitInfo.Refspecs, Depth: p.GitInfo.Depth, ObjectFormat: p.GitInfo.RepoObjectFormat,
		Strategy: p.Variables.Value("GIT_STRATEGY"), Output: out,
	}
	if v, ok := p.Variables.Get("GIT_DEPTH"); ok && v != "" {
		d, err := strconv.Atoi(v)
		if err != nil || d < 0 {
			return o, fmt.Errorf("GIT_DEPTH %q: want a number ≥ 0", v)
		}
		o.Depth = d
	}
	switch o.Strategy {
	case "":
		o.Strategy = StrategyFetch
	case StrategyNone, StrategyFetch, StrategyClone:
	default:
		return o, fmt.Errorf("GIT_STRATEGY %q: want none, fetch or clone", o.Strategy)
	}
	if o.Strategy == StrategyFetch && !p.AllowGitFetch {
		o.Strategy = StrategyClone
	}
	return o, nil
}

// Get brings Dir to Sha according to the strategy.
func Get(ctx context.Context, o Options) error {
	if o.Output == nil {
		o.Output = io.Discard
	}
	if o.Git == "" {
		o.Git = "git"
	}
	if o.Strategy == StrategyNone {
		fmt.Fprintln(o.Output, "Skipping Git repository setup")
		return nil
	}
	remote, user, password, err := splitCredentials(o.RepoURL)
	if err != nil {
		return err
	}
	base := o.Env
	if base == nil {
		base = os.Environ()
	}
	env := append(withoutGitConfigEnv(base), credentialEnv(user, password)...)
	g := &gitRunner{git: o.Git, dir: o.Dir, out: o.Output, env: env}
	fresh, err := prepareDir(ctx, g, o)
	if err != nil {
		return err
	}
	// The stored remote URL never holds credentials.
	if fresh {
		err = g.run(ctx, "remote", "add", "origin", remote)
	} else {
		err = g.run(ctx, "config", "remote.origin.url", remote)
	}
	if err != nil {
		return err
	}
	fetch := []string{"fetch", "origin", "--prune", "--quiet"}
	fetch = append(fetch, refspecs(o)...)
	if o.Depth > 0 {
		fetch = append(fetch, "--depth", strconv.Itoa(o.Depth))
	}
	if err := g.run(ctx, fetch...); err != nil {
		return err
	}
	short := o.Sha
	if len(short) > 8 {
		short = short[:8]
	}
	fmt.Fprintf(o.Output, "Checking out %s as detached HEAD (ref is %s)...\n", short, o.Ref)
	if err := g.run(ctx, "checkout", "-f", "-q", o.Sha); err != nil {
		return err
	}
	return g.run(ctx, "clean", "-ffdx")
}

// prepareDir announces the strategy and makes Dir a git repository: clone
// starts from an empty directory, fetch reuses an existing one. fresh
// reports a new repository.
func prepareDir(ctx context.Context, g *gitRunner, o Options) (fresh bool, err error) {
	announce(o)
	if o.Strategy == StrategyClone {
		// Empty the directory but keep it: a Docker executor has it
		// bind-mounted already, and a new directory would not be seen.
		if err := emptyDir(o.Dir); err != nil {
			return false, err
		}
	}
	if _, err := os.Stat(filepath.Join(o.Dir, ".git")); err == nil {
		fmt.Fprintln(o.Output, "Reinitialized existing Git repository")
		return false, nil
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return false, err
	}
	args := []string{"init", "--quiet"}
	if o.ObjectFormat == "sha256" {
		args = append(args, "--object-format=sha256")
	}
	fmt.Fprintln(o.Output, "Created fresh repository.")
	return true, g.run(ctx, append(args, ".")...)
}

// emptyDir removes everything inside dir, which may not exist.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// announce prints GitLab Runner's line for the strategy.
func announce(o Options) {
	switch {
	case o.Strategy == StrategyClone && o.Depth > 0:
		fmt.Fprintf(o.Output, "Cloning repository for %s with git depth set to %d...\n", o.Ref, o.Depth)
	case o.Strategy == StrategyClone:
		fmt.Fprintf(o.Output, "Cloning repository for %s...\n", o.Ref)
	case o.Depth > 0:
		fmt.Fprintf(o.Output, "Fetching changes with git depth set to %d...\n", o.Depth)
	default:
		fmt.Fprintln(o.Output, "Fetching changes...")
	}
}

// refspecs are the payload's, or GitLab Runner's defaults when it has none.
func refspecs(o Options) []string {
	if len(o.Refspecs) > 0 {
		return o.Refspecs
	}
	return []string{"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"}
}

// splitCredentials removes user and password from the repository URL.
func splitCredentials(raw string) (remote, user, password string, err error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", "", "", errors.New("git_info.repo_url is not a URL") // the URL may hold the token: not echoed
	}
	if u.User != nil {
		user = u.User.Username()
		password, _ = u.User.Password()
		u.User = nil
	}
	return u.String(), user, password, nil
}

// credentialEnv is the environment that makes git use only our helper:
// the first empty credential.helper entry clears any configured ones.
func credentialEnv(user, password string) []string {
	env := []string{
		"GIT_TERMINAL_PROMPT=0",
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=credential.helper", "GIT_CONFIG_VALUE_0=",
		"GIT_CONFIG_KEY_1=credential.helper", "GIT_CONFIG_VALUE_1=" + credentialHelper,
	}
	if password != "" {
		env = append(env, "JOBRUN_GIT_USERNAME="+user, tokenEnv+"="+password)
	}
	return env
}

// gitRunner runs git in one directory with the checkout's environment.
type gitRunner struct {
	git, dir string
	out      io.Writer
	env      []string
}

func (g *gitRunner) run(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, g.git, args...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	cmd.Stdout, cmd.Stderr = g.out, g.out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("git %s: %w", args[0], err)
	}
	return nil
}

// withoutGitConfigEnv drops inherited GIT_CONFIG_* and credential
// variables so they cannot add helpers or leak into git.
func withoutGitConfigEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "GIT_CONFIG_") || strings.HasPrefix(kv, "JOBRUN_GIT_") || strings.HasPrefix(kv, "GIT_ASKPASS=") {
			continue
		}
		out = append(out, kv)
	}
	return out
}
