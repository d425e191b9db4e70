package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// GitFacts is the state of the project's repository that predefined
// variables and rules:changes need.
type GitFacts struct {
	Dir           string
	SHA           string
	Branch        string   // empty on a detached HEAD
	Tags          []string // tags pointing at HEAD
	Title         string
	Message       string
	Timestamp     string // ISO 8601
	Author        string // "Name <email>"
	DefaultBranch string
	RemoteURL     string // origin's URL, or empty
}

// ReadGit reads the repository at dir with the real git. It returns nil
// and no error when dir is not inside a work tree with a commit.
func ReadGit(ctx context.Context, dir string) (*GitFacts, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, nil
	}
	if _, err := runGit(ctx, dir, "rev-parse", "--verify", "-q", "HEAD"); err != nil {
		return nil, nil
	}
	const sep = "\x1f"
	out, err := runGit(ctx, dir, "log", "-1", "--format=%H"+sep+"%s"+sep+"%cI"+sep+"%an <%ae>"+sep+"%B")
	if err != nil {
		return nil, err
	}
	parts := strings.SplitN(out, sep, 5)
	if len(parts) != 5 {
		return nil, fmt.Errorf("git log: unexpected output")
	}
	g := &GitFacts{Dir: dir, SHA: parts[0], Title: parts[1], Timestamp: parts[2], Author: parts[3], Message: strings.TrimRight(parts[4], "\n")}
	if b, err := runGit(ctx, dir, "symbolic-ref", "-q", "--short", "HEAD"); err == nil {
		g.Branch = strings.TrimSpace(b)
	}
	if t, err := runGit(ctx, dir, "tag", "--points-at", "HEAD"); err == nil {
		g.Tags = strings.Fields(t)
	}
	if u, err := runGit(ctx, dir, "remote", "get-url", "origin"); err == nil {
		g.RemoteURL = strings.TrimSpace(u)
	}
	g.DefaultBranch = defaultBranch(ctx, dir, g.Branch)
	return g, nil
}

func defaultBranch(ctx context.Context, dir, current string) string {
	if ref, err := runGit(ctx, dir, "symbolic-ref", "-q", "--short", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(ref), "origin/")
	}
	for _, b := range []string{"main", "master"} {
		if _, err := runGit(ctx, dir, "rev-parse", "--verify", "-q", "refs/heads/"+b); err == nil {
			return b
		}
	}
	if current != "" {
		return current
	}
	return "main"
}

// changedFiles lists the files that differ between base and the work
// tree, untracked files included.
func (g *GitFacts) changedFiles(ctx context.Context, base string) ([]string, error) {
	diff, err := runGit(ctx, g.Dir, "diff", "--name-only", base, "--")
	if err != nil {
		return nil, err
	}
	untracked, err := runGit(ctx, g.Dir, "ls-files", "--others", "--exclude-standard")
	if err != nil {
		return nil, err
	}
	return append(lines(diff), lines(untracked)...), nil
}

// runGit runs git with arguments that never hold secrets.
func runGit(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}
