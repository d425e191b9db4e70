package gitlabfake

import (
	"net/http"
	"net/http/cgi"
	"os/exec"
	"path/filepath"
	"strings"
)

// AddRepo serves the bare repository dir as http://<fake>/<fullPath>.git
// through `git http-backend`, for clones with basic auth
// gitlab-ci-token:<job token of an executing job of that project>.
func (s *Server) AddRepo(fullPath, bareDir string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repos[fullPath] = bareDir
}

// git serves every path not matched by the API: /<project>.git/...
func (s *Server) git(w http.ResponseWriter, r *http.Request) {
	project, rest, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), ".git/")
	s.mu.Lock()
	dir, known := s.repos[project]
	s.mu.Unlock()
	if !ok || !known {
		http.NotFound(w, r)
		return
	}
	user, pass, hasAuth := r.BasicAuth()
	if !hasAuth || user != "gitlab-ci-token" || !s.projectToken(project, pass) {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
		return
	}
	backend, err := exec.LookPath("git")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := &cgi.Handler{
		Path: backend,
		Args: []string{"http-backend"},
		Dir:  dir,
		Env: []string{
			"GIT_PROJECT_ROOT=" + filepath.Dir(dir),
			"GIT_HTTP_EXPORT_ALL=1",
			"PATH_INFO=/" + filepath.Base(dir) + "/" + rest,
		},
	}
	// cgi.Handler derives PATH_INFO from its Root; Env entries win.
	h.ServeHTTP(w, r)
}

// projectToken reports whether token belongs to an executing job of the
// project.
func (s *Server) projectToken(project, token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.jobs {
		if j.Payload.Token == token && j.Payload.JobInfo.ProjectFullPath == project && j.executingLocked() {
			return true
		}
	}
	return false
}
