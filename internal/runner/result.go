package runner

import (
	"fmt"
	"time"
)

// Status is a job's final state.
type Status string

// Job statuses, as GitLab names them.
const (
	StatusSuccess  Status = "success"
	StatusFailed   Status = "failed"
	StatusCanceled Status = "canceled"
)

// Failure reasons, as GitLab names them (features.failure_reasons).
const (
	ReasonScriptFailure = "script_failure"
	ReasonTimeout       = "job_execution_timeout"
	ReasonSystemFailure = "runner_system_failure"
	ReasonCanceled      = "canceled"
)

// Result is how one run of a job ended.
type Result struct {
	Status Status
	// ExitCode is the exit code of the failing script step, 0 otherwise.
	ExitCode int
	// FailureReason is empty on success.
	FailureReason string
	Started       time.Time
	Finished      time.Time
}

// Duration is how long the job ran.
func (r Result) Duration() time.Duration { return r.Finished.Sub(r.Started) }

// message is the last line of the trace, as GitLab Runner words it.
func (r Result) message(timeout time.Duration) string {
	switch r.FailureReason {
	case "":
		return "Job succeeded"
	case ReasonScriptFailure:
		return fmt.Sprintf("Job failed: exit code %d", r.ExitCode)
	case ReasonTimeout:
		return fmt.Sprintf("Job failed: execution took longer than %v seconds", timeout)
	case ReasonCanceled:
		return "Job failed: canceled"
	case ReasonUnknown:
		return "Job failed: its artifacts could not be saved"
	default:
		return "Job failed (system failure)"
	}
}
