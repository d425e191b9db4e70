package jobapi

import (
	"net/http"
	"strconv"
	"time"
)

// jobResponse is GET /job's body, the fields of GitLab's Job entity that a
// local run can fill in truthfully.
type jobResponse struct {
	ID             int64           `json:"id"`
	Status         string          `json:"status"`
	Stage          string          `json:"stage"`
	Name           string          `json:"name"`
	Ref            string          `json:"ref"`
	Tag            bool            `json:"tag"`
	Coverage       *float64        `json:"coverage"`
	AllowFailure   bool            `json:"allow_failure"`
	CreatedAt      string          `json:"created_at"`
	StartedAt      string          `json:"started_at"`
	FinishedAt     *string         `json:"finished_at"`
	Duration       float64         `json:"duration"`
	QueuedDuration float64         `json:"queued_duration"`
	User           userResponse    `json:"user"`
	Commit         commitResponse  `json:"commit"`
	Pipeline       pipelineSummary `json:"pipeline"`
	WebURL         string          `json:"web_url"`
	Project        jobProject      `json:"project"`
	Artifacts      []any           `json:"artifacts"`
	Runner         *any            `json:"runner"`
	TagList        []string        `json:"tag_list"`
}

type userResponse struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Username string `json:"username"`
	State    string `json:"state"`
}

type commitResponse struct {
	ID      string `json:"id"`
	ShortID string `json:"short_id"`
}

type pipelineSummary struct {
	ID        int64  `json:"id"`
	ProjectID int64  `json:"project_id"`
	Ref       string `json:"ref"`
	SHA       string `json:"sha"`
	Status    string `json:"status"`
	Source    string `json:"source,omitempty"`
	WebURL    string `json:"web_url"`
}

type jobProject struct {
	CIJobTokenScopeEnabled bool `json:"ci_job_token_scope_enabled"`
}

// timeFormat is how GitLab's API writes times.
const timeFormat = "2006-01-02T15:04:05.000Z"

func (s *Server) serveJob(c *call) {
	writeJSON(c.w, http.StatusOK, s.jobJSON(c.job, c.own))
}

func (s *Server) jobJSON(job JobInfo, p Project) jobResponse {
	started := job.StartedAt
	if started.IsZero() {
		started = s.cfg.Now()
	}
	web := s.URL() + "/" + p.FullPath
	return jobResponse{
		ID: job.JobID, Status: "running", Stage: job.Stage, Name: job.JobName, Ref: job.Ref,
		CreatedAt: apiTime(started), StartedAt: apiTime(started),
		Duration: s.cfg.Now().Sub(started).Seconds(),
		User:     jobUser(job),
		Commit:   commitResponse{ID: job.SHA, ShortID: shortSHA(job.SHA)},
		Pipeline: pipelineSummary{ID: job.PipelineID, ProjectID: p.ID, Ref: job.Ref, SHA: job.SHA,
			Status: "running", WebURL: web + "/-/pipelines/" + itoa(job.PipelineID)},
		WebURL:    web + "/-/jobs/" + itoa(job.JobID),
		Project:   jobProject{CIJobTokenScopeEnabled: !p.TokenScope.AllowAllProjects},
		Artifacts: []any{},
		TagList:   []string{},
	}
}

func shortSHA(sha string) string {
	if len(sha) > 8 {
		return sha[:8]
	}
	return sha
}

func apiTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
