package jobapi

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxFormBody bounds form and JSON bodies (triggers, releases). Package
// uploads stream and are bounded separately.
const maxFormBody = 1 << 20

// call is one authenticated request on its way to an endpoint.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	route  route
	params url.Values
	job    JobInfo
	own    Project // the token's project
	target Project // the project the request is about
}

// ServeHTTP authenticates the request, applies the job token scope and
// hands it to its endpoint. Every request leaves one request-log line.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	entry := logEntry{method: r.Method, url: r.URL}
	defer func() { s.writeLog(entry, sw.status) }()

	rt, perr := parseRoute(r.Method, r.URL.EscapedPath())
	if perr != nil {
		entry.reason = "no such endpoint"
		writeError(sw, perr)
		return
	}
	params, perr := requestParams(r, rt.kind)
	if perr != nil {
		entry.reason = "unreadable parameters"
		writeError(sw, perr)
		return
	}
	cred := presentedToken(r.Header, params, rt.kind)
	entry.secret = cred.token
	job, ok := s.tokens.lookup(cred.token)
	if !ok {
		entry.reason = "no valid job token"
		if rt.kind == routeGit {
			entry.reason = "no credentials: basic-auth challenge sent"
		}
		if cred.token != "" {
			entry.reason = "unknown or expired job token (" + cred.source + ")"
		}
		s.unauthorized(sw, rt.kind)
		return
	}
	entry.job = strconv.FormatInt(job.JobID, 10)
	c := &call{w: sw, r: r, route: rt, params: params, job: job, own: s.projects.byID[job.ProjectID]}
	if rt.kind == routeJob {
		entry.allowed, entry.project, entry.reason = true, c.own.FullPath, "own job"
		s.serveJob(c)
		return
	}
	target, ok := s.projects.find(rt.project)
	if rt.kind == routeGit {
		// Clone URLs name projects by path only; /1.git is not project 1.
		target, ok = s.projects.byPath[strings.ToLower(rt.project)]
	}
	if !ok {
		entry.reason = "no such project"
		writeNotFound(sw, rt.kind, "404 Project Not Found")
		return
	}
	c.target, entry.project = target, target.FullPath
	d := reach(c.own, target, accessOf(rt))
	entry.allowed, entry.reason = d.allowed, d.reason
	if !d.allowed {
		if s.cfg.Denied != nil {
			s.cfg.Denied(job, d.note)
		}
		writeNotFound(sw, rt.kind, "404 Project Not Found")
		return
	}
	if err := s.dispatch(c); err != nil {
		entry.reason += "; " + err.message
		writeError(sw, err)
	}
}

func (s *Server) dispatch(c *call) *apiError {
	switch c.route.kind {
	case routePackagePut:
		return s.putPackage(c)
	case routePackageGet:
		return s.getPackage(c)
	case routeArtifactsZip, routeArtifactRaw:
		return s.serveArtifacts(c)
	case routeTrigger:
		return s.trigger(c)
	case routeRelease:
		return s.createRelease(c)
	case routeGit:
		return s.serveGit(c)
	}
	return errNotFound
}

func accessOf(rt route) access {
	switch {
	case rt.kind == routePackagePut, rt.kind == routeTrigger, rt.kind == routeRelease:
		return write
	case rt.kind == routeGit && rt.gitService == "git-receive-pack":
		return write
	}
	return read
}

// requestParams merges the query string with a form body, as GitLab's API
// (Grape) does, so that token= and job_token= work in either place. Only
// form bodies of POST requests are read; bodies are bounded.
func requestParams(r *http.Request, kind routeKind) (url.Values, *apiError) {
	params := r.URL.Query()
	if r.Method != http.MethodPost || kind == routeGit {
		return params, nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "application/json" && kind == routeTrigger {
		return triggerJSONParams(r, params)
	}
	if mediaType != "application/x-www-form-urlencoded" && mediaType != "multipart/form-data" {
		return params, nil
	}
	r.Body = http.MaxBytesReader(nil, r.Body, maxFormBody)
	var err error
	if mediaType == "multipart/form-data" {
		err = r.ParseMultipartForm(maxFormBody)
		if r.MultipartForm != nil {
			defer r.MultipartForm.RemoveAll()
		}
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil, &apiError{http.StatusBadRequest, "400 Bad request - unreadable form body"}
	}
	for k, vs := range r.PostForm {
		for _, v := range vs {
			params.Add(k, v)
		}
	}
	return params, nil
}

// triggerJSONParams reads a trigger's JSON body, {"token": ..., "ref":
// ..., "variables": {"KEY": "value"}}, into the parameters a form body
// would give.
func triggerJSONParams(r *http.Request, params url.Values) (url.Values, *apiError) {
	var body struct {
		Token     string            `json:"token"`
		Ref       string            `json:"ref"`
		Variables map[string]string `json:"variables"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxFormBody)).Decode(&body); err != nil {
		return nil, &apiError{http.StatusBadRequest, "400 Bad request - body is not valid JSON"}
	}
	if body.Token != "" {
		params.Set("token", body.Token)
	}
	if body.Ref != "" {
		params.Set("ref", body.Ref)
	}
	for k, v := range body.Variables {
		params.Set("variables["+k+"]", v)
	}
	return params, nil
}

// unauthorized answers a missing, unknown or revoked token the same way
// every time. Git gets a basic-auth challenge so that a clone URL without
// credentials makes git ask its credential helper.
func (s *Server) unauthorized(w http.ResponseWriter, kind routeKind) {
	if kind == routeGit {
		w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
		http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
		return
	}
	writeError(w, &apiError{http.StatusUnauthorized, "401 Unauthorized"})
}

// writeNotFound is GitLab's answer to a project out of the token's reach:
// indistinguishable from a project that does not exist.
func writeNotFound(w http.ResponseWriter, kind routeKind, message string) {
	if kind == routeGit {
		http.Error(w, "The project you were looking for could not be found or you don't have permission to view it.", http.StatusNotFound)
		return
	}
	writeError(w, &apiError{http.StatusNotFound, message})
}

func writeError(w http.ResponseWriter, err *apiError) {
	writeJSON(w, err.status, map[string]string{"message": err.message})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"message":"500 Internal Server Error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// statusWriter remembers the status code for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (git's
// streaming responses flush through it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
