package jobapi

import (
	"net/http"
	"net/url"
	"strings"
)

// jobTokenUser is the user name GitLab expects with a job token in HTTP
// basic auth (CI_REGISTRY_USER, the clone URL of CI_REPOSITORY_URL).
const jobTokenUser = "gitlab-ci-token"

// credential is a job token as a request presented it.
type credential struct {
	token  string
	source string // where it came from, for the request log; never the value
}

// presentedToken returns the job token a request carries, accepting only
// the forms GitLab accepts for that kind of endpoint:
//
//   - every API endpoint: the JOB-TOKEN header, the job_token parameter
//     (query string or form body) and "Authorization: Bearer";
//   - generic packages: also HTTP basic auth with any user name;
//   - pipeline triggers: also the token parameter;
//   - git over HTTP: only basic auth as gitlab-ci-token.
//
// params holds the query string merged with a form body, if any.
func presentedToken(h http.Header, params url.Values, kind routeKind) credential {
	if kind == routeGit {
		user, pass, ok := basicAuth(h)
		if ok && user == jobTokenUser && pass != "" {
			return credential{token: pass, source: "basic auth"}
		}
		return credential{}
	}
	if v := h.Get("Job-Token"); v != "" {
		return credential{token: v, source: "JOB-TOKEN header"}
	}
	if v := params.Get("job_token"); v != "" {
		return credential{token: v, source: "job_token parameter"}
	}
	if kind == routeTrigger {
		if v := params.Get("token"); v != "" {
			return credential{token: v, source: "token parameter"}
		}
	}
	auth := h.Get("Authorization")
	if scheme, v, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") && v != "" {
		return credential{token: v, source: "bearer"}
	}
	if kind == routePackageGet || kind == routePackagePut {
		if _, pass, ok := basicAuth(h); ok && pass != "" {
			return credential{token: pass, source: "basic auth"}
		}
	}
	return credential{}
}

// basicAuth reads an Authorization header the way net/http's Request
// does, without needing a request.
func basicAuth(h http.Header) (user, pass string, ok bool) {
	r := http.Request{Header: http.Header{"Authorization": h.Values("Authorization")}}
	return r.BasicAuth()
}
