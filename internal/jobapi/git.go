package jobapi

import (
	"io"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// serveGit runs git's own smart-HTTP server, git http-backend, as a CGI
// program on the project's repository. Fetch and clone are served; push
// is refused, as GitLab refuses a job token push unless a project opts in.
func (s *Server) serveGit(c *call) *apiError {
	service := c.route.gitService
	if service == "info/refs" {
		service = c.params.Get("service")
	}
	switch service {
	case "git-upload-pack":
	case "git-receive-pack":
		http.Error(c.w, "You are not allowed to push code to this project.", http.StatusForbidden)
		return nil
	default:
		// The dumb protocol would serve files straight from .git.
		http.Error(c.w, "Only the smart HTTP protocol is supported.", http.StatusForbidden)
		return nil
	}
	gitDir, ok := repositoryDir(c.target.Dir)
	if !ok {
		writeNotFound(c.w, routeGit, "")
		return nil
	}
	gitBin, err := exec.LookPath("git")
	if err != nil {
		return internalError()
	}
	h := &cgi.Handler{
		Path: gitBin,
		Args: []string{"http-backend"},
		// PATH_INFO becomes what follows .git in the URL, so that the
		// repository is GIT_PROJECT_ROOT itself.
		Root: strings.TrimSuffix(c.r.URL.Path, "/"+c.route.gitService),
		Env: []string{"GIT_PROJECT_ROOT=" + gitDir, "GIT_HTTP_EXPORT_ALL=1",
			// The repository may belong to another user (files a Docker
			// job created as root); it is configured to be served, so
			// git's ownership check would only get in the way.
			"GIT_CONFIG_COUNT=2", "GIT_CONFIG_KEY_0=safe.directory", "GIT_CONFIG_VALUE_0=" + gitDir,
			"GIT_CONFIG_KEY_1=safe.directory", "GIT_CONFIG_VALUE_1=" + filepath.Dir(gitDir)},
		InheritEnv: []string{"PATH", "HOME"},
		Stderr:     io.Discard,
	}
	h.ServeHTTP(c.w, withoutCredentials(c.r))
	return nil
}

// repositoryDir is the git directory of a working tree (dir/.git) or a
// bare repository (dir itself).
func repositoryDir(dir string) (string, bool) {
	if dir == "" {
		return "", false
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	if info, err := os.Stat(filepath.Join(abs, ".git")); err == nil && info.IsDir() {
		return filepath.Join(abs, ".git"), true
	}
	if info, err := os.Stat(filepath.Join(abs, "HEAD")); err == nil && info.Mode().IsRegular() {
		return abs, true
	}
	return "", false
}

// withoutCredentials copies the request without its token: CGI passes
// every header to the child's environment (HTTP_AUTHORIZATION), and the
// token has no business there.
func withoutCredentials(r *http.Request) *http.Request {
	clean := r.Clone(r.Context())
	clean.Header.Del("Authorization")
	clean.Header.Del("Job-Token")
	q := clean.URL.Query()
	for _, p := range secretParams {
		q.Del(p)
	}
	clean.URL.RawQuery = q.Encode()
	return clean
}
