// Package jobtoken plays GitLab's part in giving a local job its
// credentials: it mints a fresh CI_JOB_TOKEN per job and fills the
// variables that GitLab derives from it, the way Rails does for a job it
// hands to a runner.
package jobtoken

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// Prefix is GitLab's job token prefix; the masker knows it too, so a
// token is masked even where nobody registered it.
const Prefix = "glcbt-"

// Length is the number of random characters after the prefix: 32 base62
// characters carry about 190 bits.
const Length = 32

// User is the user name that goes with a job token.
const User = "gitlab-ci-token"

// DefaultServerURL is used when the payload names no CI_SERVER_URL.
const DefaultServerURL = "https://gitlab.example.com"

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// Mint returns a new token from the operating system's CSPRNG.
func Mint() (string, error) {
	out := make([]byte, 0, len(Prefix)+Length)
	out = append(out, Prefix...)
	buf := make([]byte, 64)
	for len(out) < cap(out) {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("minting a job token: %w", err)
		}
		for _, b := range buf {
			// Rejection sampling: 248 = 4×62, so every character is
			// equally likely.
			if b < 248 && len(out) < cap(out) {
				out = append(out, alphabet[b%62])
			}
		}
	}
	return string(out), nil
}

// Inject gives p the token and every value derived from it, as Rails
// sends them: the token variables (masked), the registry and dependency
// proxy user, CI_REPOSITORY_URL and git_info.repo_url with the token as
// password (not masked: masking the token's value covers it), and the
// registry credentials when the job has a registry.
func Inject(p *job.Payload, token string) {
	p.Token = token
	secret := func(k string) job.Variable { return job.Variable{Key: k, Value: token, Masked: true} }
	public := func(k, v string) job.Variable { return job.Variable{Key: k, Value: v, Public: true} }
	repoURL := RepositoryURL(serverURL(p.Variables), projectPath(p), token)

	p.Variables.Set(secret("CI_JOB_TOKEN"))
	p.Variables.Set(public("CI_REGISTRY_USER", User))
	p.Variables.Set(secret("CI_REGISTRY_PASSWORD"))
	p.Variables.Set(public("CI_DEPENDENCY_PROXY_USER", User))
	p.Variables.Set(secret("CI_DEPENDENCY_PROXY_PASSWORD"))
	p.Variables.Set(job.Variable{Key: "CI_REPOSITORY_URL", Value: repoURL})
	p.GitInfo.RepoURL = repoURL

	if registry := p.Variables.Value("CI_REGISTRY"); registry != "" {
		setCredential(p, job.Credential{Type: "registry", URL: registry, Username: User, Password: token})
	}
}

// RepositoryURL is the clone URL of project on server with the token as
// the password: https://gitlab-ci-token:<token>@host/group/project.git.
func RepositoryURL(server, project, token string) string {
	u, err := url.Parse(server)
	if err != nil || u.Host == "" {
		u, _ = url.Parse(DefaultServerURL)
	}
	u.User = url.UserPassword(User, token)
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.Trim(project, "/") + ".git"
	return u.String()
}

func serverURL(vs job.Variables) string {
	if s := vs.Value("CI_SERVER_URL"); s != "" {
		return s
	}
	return DefaultServerURL
}

func projectPath(p *job.Payload) string {
	if p.JobInfo.ProjectFullPath != "" {
		return p.JobInfo.ProjectFullPath
	}
	if s := p.Variables.Value("CI_PROJECT_PATH"); s != "" {
		return s
	}
	return "local/" + firstNonEmpty(p.JobInfo.ProjectName, "project")
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func setCredential(p *job.Payload, c job.Credential) {
	for i := range p.Credentials {
		if p.Credentials[i].Type == c.Type && p.Credentials[i].URL == c.URL {
			p.Credentials[i] = c
			return
		}
	}
	p.Credentials = append(p.Credentials, c)
}
