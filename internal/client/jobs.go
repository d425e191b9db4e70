package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"

	"github.com/jobrun/jobrun/internal/job"
)

// Job states of PUT /jobs/:id.
const (
	StatePending = "pending"
	StateRunning = "running"
	StateSuccess = "success"
	StateFailed  = "failed"
)

// Job-Status header values the runner reacts to.
const (
	JobStatusCanceling = "canceling"
	JobStatusCanceled  = "canceled"
	JobStatusFailed    = "failed"
)

// ErrJobAborted means GitLab no longer wants the job (403, 404, or
// Job-Status canceled/failed): stop it at once and send nothing more.
var ErrJobAborted = errors.New("job aborted by GitLab")

// ErrJobCanceling means GitLab asked to cancel the job gracefully.
var ErrJobCanceling = errors.New("job is being canceled")

// maxPayloadSize bounds a jobs/request answer; real ones are a few KiB to
// a few hundred KiB (variables, file variables).
const maxPayloadSize = 64 << 20

// Session is the optional interactive-session object of jobs/request.
type Session struct {
	URL           string `json:"url"`
	Certificate   string `json:"certificate"`
	Authorization string `json:"authorization"`
}

type jobRequest struct {
	Token      string   `json:"token"`
	SystemID   string   `json:"system_id,omitempty"`
	LastUpdate string   `json:"last_update,omitempty"`
	Info       Info     `json:"info"`
	Session    *Session `json:"session,omitempty"`
}

// RequestJob asks for a job with POST /api/v4/jobs/request. It sends the
// last X-GitLab-Last-Update value seen, so GitLab may hold the request
// for its long poll. A 201 returns the payload; a 204 returns a nil
// payload and no error (no job now). 403, 409, 422, 503 and exhausted
// retries of 429 return an *APIError (see errors.go).
func (c *Client) RequestJob(ctx context.Context, runnerToken, systemID string) (*job.Payload, *Response, error) {
	const op = "request job"
	body := jobRequest{Token: runnerToken, SystemID: systemID, LastUpdate: c.LastUpdate(), Info: c.info}
	resp, err := c.postRunnerJSON(ctx, "jobs/request", runnerToken, body)
	if err != nil {
		return nil, nil, err
	}
	defer drain(resp.Body)
	r := newResponse(resp)
	switch resp.StatusCode {
	case http.StatusCreated:
	case http.StatusNoContent:
		return nil, r, nil
	default:
		return nil, r, apiError(op, resp.StatusCode)
	}
	if !isJSON(resp.Header) {
		return nil, r, fmt.Errorf("%s: job answer has Content-Type %q, want application/json", op, resp.Header.Get("Content-Type"))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxPayloadSize+1))
	if err != nil {
		return nil, r, fmt.Errorf("%s: reading the answer: %w", op, err)
	}
	p, err := DecodePayload(data)
	if err != nil {
		return nil, r, fmt.Errorf("%s: %w", op, err)
	}
	return p, r, nil
}

// DecodePayload decodes a jobs/request answer and checks what the runner
// cannot do without: a job id and a job token. Errors never quote the
// document, which holds secrets.
func DecodePayload(data []byte) (*job.Payload, error) {
	if len(data) > maxPayloadSize {
		return nil, fmt.Errorf("job answer larger than %d bytes", maxPayloadSize)
	}
	var p job.Payload
	if err := json.Unmarshal(data, &p); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("job answer is not valid JSON (offset %d)", se.Offset)
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("job answer: field %q: got a JSON %s, want %s", te.Field, te.Value, te.Type)
		}
		return nil, errors.New("job answer is not valid JSON")
	}
	if p.ID <= 0 || p.Token == "" {
		return nil, errors.New("job answer without id or token")
	}
	return &p, nil
}

// JobOutput is the trace summary of a job update.
type JobOutput struct {
	Checksum string `json:"checksum"`
	Bytesize int64  `json:"bytesize"`
}

// JobUpdate is the body of PUT /api/v4/jobs/:id (without token and info,
// which the client fills in).
type JobUpdate struct {
	State         string     `json:"state"`
	FailureReason string     `json:"failure_reason,omitempty"`
	ExitCode      int        `json:"exit_code,omitempty"`
	Output        *JobOutput `json:"output,omitempty"`
}

type jobUpdateBody struct {
	Token string `json:"token"`
	JobUpdate
	// Checksum is the deprecated copy of output.checksum older GitLab reads.
	Checksum string `json:"checksum,omitempty"`
	Info     Info   `json:"info"`
}

// UpdateJob sends PUT /api/v4/jobs/:id with the job token in the JOB-TOKEN
// header and the body. It returns the answer for every status code; the
// error is non-nil for a transport failure or any code but 200 and 202.
func (c *Client) UpdateJob(ctx context.Context, id int64, token string, u JobUpdate) (*Response, error) {
	body := jobUpdateBody{Token: token, JobUpdate: u, Info: c.info}
	if u.Output != nil {
		body.Checksum = u.Output.Checksum
	}
	resp, err := c.sendJSON(ctx, http.MethodPut, "jobs/"+strconv.FormatInt(id, 10), http.Header{headerJobToken: {token}}, body)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	r := newResponse(resp)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusAccepted {
		return r, apiError("update job", resp.StatusCode)
	}
	return r, nil
}

// AcceptJob is the second phase of the two-phase job commit: PUT
// state=running before the job runs. It returns ErrJobAborted when GitLab
// gives the job to someone else or drops it (drop the job, report
// nothing), and ErrJobCanceling when it is being canceled.
//
// Without two_phase_job_commit in Info.Features, GitLab already marked the
// job running and AcceptJob does nothing, so a run loop can always call it.
func (c *Client) AcceptJob(ctx context.Context, p *job.Payload) error {
	if !c.info.Features.TwoPhaseJobCommit {
		return nil
	}
	r, err := c.UpdateJob(ctx, p.ID, p.Token, JobUpdate{State: StateRunning})
	if r != nil && (abortStatus(r) || r.StatusCode == http.StatusConflict) {
		return fmt.Errorf("accept job %d: %w (%d)", p.ID, ErrJobAborted, r.StatusCode)
	}
	if err != nil {
		return fmt.Errorf("accept job %d: %w", p.ID, err)
	}
	if r.JobStatus == JobStatusCanceling {
		return fmt.Errorf("accept job %d: %w", p.ID, ErrJobCanceling)
	}
	return nil
}

// abortStatus is GitLab Runner's IsFailed: 403, 404, or Job-Status
// canceled or failed.
func abortStatus(r *Response) bool {
	return r.StatusCode == http.StatusForbidden || r.StatusCode == http.StatusNotFound ||
		r.JobStatus == JobStatusCanceled || r.JobStatus == JobStatusFailed
}

// Failure reasons jobrun produces.
const (
	ReasonScriptFailure         = "script_failure"
	ReasonRunnerSystemFailure   = "runner_system_failure"
	ReasonJobExecutionTimeout   = "job_execution_timeout"
	ReasonImagePullFailure      = "image_pull_failure"
	ReasonRunnerConfigError     = "runner_configuration_error"
	ReasonExternalDependency    = "runner_external_dependency_failure"
	ReasonRunnerInterrupted     = "runner_interrupted"
	ReasonMissingDependency     = "missing_dependency_failure"
	ReasonUnknownFailure        = "unknown_failure"
	ReasonJobCanceled           = "job_canceled"
	ReasonRunnerUnsupported     = "runner_unsupported"
	ReasonStuckOrTimeoutFailure = "stuck_or_timeout_failure"
	ReasonAPIFailure            = "api_failure"
	ReasonUnmetPrerequisites    = "unmet_prerequisites"
	ReasonDataIntegrityFailure  = "data_integrity_failure"
	ReasonJobTokenExpired       = "job_token_expired"
	ReasonArchivedFailure       = "archived_failure"
	ReasonSchedulerFailure      = "scheduler_failure"
	ReasonStaleSchedule         = "stale_schedule"
)

// alwaysAllowed are the reasons every GitLab accepts.
var alwaysAllowed = []string{ReasonScriptFailure, ReasonRunnerSystemFailure, ReasonJobExecutionTimeout}

// fallbacks maps a newer reason to an older one when GitLab does not list
// it in the job's features.failure_reasons.
var fallbacks = map[string]string{
	ReasonImagePullFailure:   ReasonRunnerSystemFailure,
	ReasonRunnerConfigError:  ReasonScriptFailure,
	ReasonExternalDependency: ReasonRunnerSystemFailure,
}

// FailureReason restricts reason to what the job's GitLab accepts
// (features.failure_reasons): a listed or always-allowed reason is kept, a
// known newer one falls back to its older equivalent, anything else —
// job_canceled included — becomes unknown_failure. "" stays "".
func FailureReason(reason string, supported []string) string {
	if reason == "" {
		return ""
	}
	allowed := func(r string) bool { return slices.Contains(alwaysAllowed, r) || slices.Contains(supported, r) }
	if allowed(reason) {
		return reason
	}
	if fb, ok := fallbacks[reason]; ok && allowed(fb) {
		return fb
	}
	return ReasonUnknownFailure
}
