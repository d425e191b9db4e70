package exec

import (
	"fmt"

	"github.com/jobrun/jobrun/internal/pipeline"
	"github.com/jobrun/jobrun/internal/runner"
)

// localJobs turns the compiler's plan into the scheduler's jobs
// (docs/runner.md): the payload GitLab would send, plus what GitLab keeps
// to itself — stage, when, needs, allow_failure, retry. Needs on jobs
// that `jobrun exec JOB ...` left out count as met.
//
// Trigger jobs have no script: running one would report a success that
// never happened, so they are left out and returned as notes instead.
func localJobs(plan *pipeline.Plan) (jobs []runner.LocalJob, notes []string) {
	for _, j := range plan.Jobs {
		if j.Trigger != nil {
			notes = append(notes, triggerNote(j))
			continue
		}
		n := runner.Node{
			Name: j.Name, Stage: j.Stage, When: j.When, StartIn: j.StartInDuration(),
			NeedsDeclared: j.Needs != nil,
			AllowFailure: runner.AllowFailure{
				// allow_failure:exit_codes allows only those codes.
				Any:       j.AllowFailure && len(j.AllowFailureExitCodes) == 0,
				ExitCodes: j.AllowFailureExitCodes,
			},
			Retry: runner.Retry{Max: j.Retry.Max, When: j.Retry.When, ExitCodes: j.Retry.ExitCodes},
		}
		for _, need := range j.Needs {
			if need.Project != "" || need.Pipeline != "" {
				// A need on another project or pipeline cannot be met
				// locally; the compiler already noted it.
				continue
			}
			n.Needs = append(n.Needs, runner.Need{Name: need.Job, Optional: need.Optional})
		}
		// The payload's dependencies (id + name) are the compiler's.
		payload := j.Payload
		jobs = append(jobs, runner.LocalJob{Payload: &payload, Node: n})
	}
	return runner.TrimNeeds(jobs), notes
}

// triggerNote says why a trigger job does not run and what to do instead.
func triggerNote(j *pipeline.Job) string {
	if j.Trigger.Local && len(j.Trigger.Include) > 0 {
		return fmt.Sprintf("%s triggers a child pipeline, which jobrun exec does not run in the same run; "+
			"run it with `jobrun exec -f %s`", j.Name, j.Trigger.Include[0])
	}
	reason := j.Trigger.Reason
	if reason == "" {
		reason = "it triggers a pipeline on GitLab"
	}
	return fmt.Sprintf("%s is not run locally: %s", j.Name, reason)
}

// pipelineID names the run's directories under .jobrun/: the plan's
// CI_PIPELINE_ID, so a second run of the same project reuses (and
// incrementally updates) the first run's working copy.
func pipelineID(plan *pipeline.Plan) string {
	for _, j := range plan.Jobs {
		if v, ok := j.Payload.Variables.Get("CI_PIPELINE_ID"); ok && v != "" {
			return v
		}
	}
	return "1"
}

// hasImage reports whether any job of the plan names an image.
func hasImage(plan *pipeline.Plan) bool {
	for _, j := range plan.Jobs {
		if j.Payload.Image.Name != "" {
			return true
		}
	}
	return false
}
