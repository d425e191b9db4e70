package jobapi

import (
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// routeKind names an endpoint the server serves.
type routeKind int

const (
	routeNone routeKind = iota
	routeJob
	routePackagePut
	routePackageGet
	routeArtifactsZip
	routeArtifactRaw
	routeTrigger
	routeRelease
	routeGit
)

// route is a parsed request path. String fields are unescaped.
type route struct {
	kind    routeKind
	project string // :id as given, numeric or full path; the git project for routeGit

	pkg, version, file string // generic packages
	ref, artifactPath  string // job artifacts
	gitService         string // "info/refs", "git-upload-pack" or "git-receive-pack"
}

// apiError is a failed request: its status and GitLab's message text.
type apiError struct {
	status  int
	message string
}

func (e *apiError) Error() string { return e.message }

var (
	errNotFound         = &apiError{http.StatusNotFound, "404 Not Found"}
	errMethodNotAllowed = &apiError{http.StatusMethodNotAllowed, "405 Method Not Allowed"}
)

// packageNameRE is GitLab's rule for generic package names, versions and
// file names (Gitlab::Regex generic_package_*_regex): letters, digits,
// '.', '_', '-' and '+'. GitLab also forbids ".." in a version; jobrun
// forbids a lone "." or ".." in every part, which keeps the names inside
// the package store.
var packageNameRE = regexp.MustCompile(`^[A-Za-z0-9._+-]+$`)

func validPackagePart(s string) bool {
	return packageNameRE.MatchString(s) && s != "." && s != ".."
}

// parseRoute maps a method and an escaped URL path to a route. It never
// touches the file system; every name it returns is safe to use below a
// root directory (checked again by os.Root when used).
func parseRoute(method, escapedPath string) (route, *apiError) {
	segs, ok := splitPath(escapedPath)
	if !ok {
		return route{}, &apiError{http.StatusBadRequest, "400 Bad request - malformed path"}
	}
	if len(segs) >= 2 && segs[0] == "api" && segs[1] == "v4" {
		return parseAPIRoute(method, segs[2:])
	}
	return parseGitRoute(method, segs)
}

// splitPath unescapes each segment on its own, so that "group%2Fproject"
// stays one :id segment as GitLab reads it.
func splitPath(escaped string) ([]string, bool) {
	if !strings.HasPrefix(escaped, "/") {
		return nil, false
	}
	raw := strings.Split(escaped[1:], "/")
	segs := make([]string, len(raw))
	for i, s := range raw {
		u, err := url.PathUnescape(s)
		if err != nil || strings.ContainsFunc(u, isControl) {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

func parseAPIRoute(method string, segs []string) (route, *apiError) {
	if len(segs) == 1 && segs[0] == "job" {
		return onlyMethod(method, route{kind: routeJob}, http.MethodGet)
	}
	if len(segs) < 3 || segs[0] != "projects" || segs[1] == "" {
		return route{}, errNotFound
	}
	r := route{project: segs[1]}
	rest := segs[2:]
	switch {
	case len(rest) == 5 && rest[0] == "packages" && rest[1] == "generic":
		return parsePackageRoute(method, r, rest[2], rest[3], rest[4])
	case len(rest) >= 4 && rest[0] == "jobs" && rest[1] == "artifacts" && rest[2] != "":
		return parseArtifactRoute(method, r, rest[2], rest[3:])
	case len(rest) == 2 && rest[0] == "trigger" && rest[1] == "pipeline":
		r.kind = routeTrigger
		return onlyMethod(method, r, http.MethodPost)
	case len(rest) == 1 && rest[0] == "releases":
		r.kind = routeRelease
		return onlyMethod(method, r, http.MethodPost)
	}
	return route{}, errNotFound
}

func onlyMethod(method string, r route, allowed ...string) (route, *apiError) {
	for _, m := range allowed {
		if method == m {
			return r, nil
		}
	}
	if method == http.MethodHead && len(allowed) > 0 && allowed[0] == http.MethodGet {
		return r, nil
	}
	return route{}, errMethodNotAllowed
}

func parsePackageRoute(method string, r route, pkg, version, file string) (route, *apiError) {
	switch method {
	case http.MethodPut:
		r.kind = routePackagePut
	case http.MethodGet, http.MethodHead:
		r.kind = routePackageGet
	default:
		return route{}, errMethodNotAllowed
	}
	switch {
	case !validPackagePart(pkg):
		return route{}, &apiError{http.StatusBadRequest, "400 Bad request - package_name is invalid"}
	case !validPackagePart(version) || strings.Contains(version, ".."):
		return route{}, &apiError{http.StatusBadRequest, "400 Bad request - package_version is invalid"}
	case !validPackagePart(file):
		return route{}, &apiError{http.StatusBadRequest, "400 Bad request - file_name is invalid"}
	}
	r.pkg, r.version, r.file = pkg, version, file
	return r, nil
}

func parseArtifactRoute(method string, r route, ref string, rest []string) (route, *apiError) {
	r.ref = ref
	switch {
	case len(rest) == 1 && rest[0] == "download":
		r.kind = routeArtifactsZip
	case len(rest) >= 2 && rest[0] == "raw":
		p := strings.Join(rest[1:], "/")
		if !filepath.IsLocal(p) || strings.Contains(p, `\`) {
			return route{}, &apiError{http.StatusBadRequest, "400 Bad request - artifact_path is invalid"}
		}
		r.kind, r.artifactPath = routeArtifactRaw, filepath.Clean(p)
	default:
		return route{}, errNotFound
	}
	return onlyMethod(method, r, http.MethodGet)
}

// parseGitRoute reads /<full path>.git/<service>, the smart HTTP
// protocol's URLs. The dumb protocol is not served.
func parseGitRoute(method string, segs []string) (route, *apiError) {
	for i, s := range segs {
		name, isRepo := strings.CutSuffix(s, ".git")
		if !isRepo {
			continue
		}
		path := strings.Join(append(segs[:i:i], name), "/")
		if !validFullPath(path) {
			return route{}, errNotFound
		}
		r := route{kind: routeGit, project: path, gitService: strings.Join(segs[i+1:], "/")}
		switch r.gitService {
		case "info/refs":
			return onlyMethod(method, r, http.MethodGet)
		case "git-upload-pack", "git-receive-pack":
			return onlyMethod(method, r, http.MethodPost)
		}
		return route{}, errNotFound
	}
	return route{}, errNotFound
}
