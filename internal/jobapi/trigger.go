package jobapi

import (
	"context"
	"net/http"
	"regexp"
	"strings"
)

// TriggerRequest is a downstream pipeline a job asked for with
// POST /projects/:id/trigger/pipeline and its own token.
type TriggerRequest struct {
	Project   Project           // the project whose pipeline runs
	Ref       string            // branch or tag
	Variables map[string]string // from variables[KEY]=VALUE
	Upstream  JobInfo           // the triggering job
}

// Pipeline is what a TriggerFunc reports about the pipeline it created.
type Pipeline struct {
	ID     int64
	IID    int64
	SHA    string
	Status string // GitLab's pipeline status: created, pending, running, success, failed, canceled
}

// TriggerFunc creates (and runs, or starts) the downstream pipeline. exec
// runs it with CI_PIPELINE_SOURCE=pipeline. A returned error answers the
// job with 400; its text is not shown to the job.
type TriggerFunc func(ctx context.Context, req TriggerRequest) (Pipeline, error)

// variableKeyRE is GitLab's rule for CI/CD variable keys.
var variableKeyRE = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

type pipelineResponse struct {
	ID         int64        `json:"id"`
	IID        int64        `json:"iid"`
	ProjectID  int64        `json:"project_id"`
	SHA        string       `json:"sha"`
	Ref        string       `json:"ref"`
	Status     string       `json:"status"`
	Source     string       `json:"source"`
	Tag        bool         `json:"tag"`
	CreatedAt  string       `json:"created_at"`
	UpdatedAt  string       `json:"updated_at"`
	WebURL     string       `json:"web_url"`
	User       userResponse `json:"user"`
	YAMLErrors *string      `json:"yaml_errors"`
}

func (s *Server) trigger(c *call) *apiError {
	if s.cfg.Trigger == nil {
		return errNotFound
	}
	ref := c.params.Get("ref")
	if ref == "" {
		return &apiError{http.StatusBadRequest, "400 Bad request - ref is missing"}
	}
	vars := map[string]string{}
	for k, vs := range c.params {
		key, ok := strings.CutPrefix(k, "variables[")
		if !ok {
			continue
		}
		key, ok = strings.CutSuffix(key, "]")
		if !ok || !variableKeyRE.MatchString(key) {
			return &apiError{http.StatusBadRequest, "400 Bad request - variables is invalid"}
		}
		vars[key] = vs[len(vs)-1]
	}
	p, err := s.cfg.Trigger(c.r.Context(), TriggerRequest{Project: c.target, Ref: ref, Variables: vars, Upstream: c.job})
	if err != nil {
		return &apiError{http.StatusBadRequest, "400 Bad request - pipeline could not be created"}
	}
	now := apiTime(s.cfg.Now())
	status := p.Status
	if status == "" {
		status = "created"
	}
	writeJSON(c.w, http.StatusCreated, pipelineResponse{
		ID: p.ID, IID: p.IID, ProjectID: c.target.ID, SHA: p.SHA, Ref: ref, Status: status,
		Source: "pipeline", CreatedAt: now, UpdatedAt: now,
		WebURL: s.URL() + "/" + c.target.FullPath + "/-/pipelines/" + itoa(p.ID),
		User:   jobUser(c.job),
	})
	return nil
}

func jobUser(job JobInfo) userResponse {
	name := job.UserName
	if name == "" {
		name = "jobrun"
	}
	return userResponse{ID: 1, Name: name, Username: name, State: "active"}
}
