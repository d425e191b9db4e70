package pipeline

import "github.com/jobrun/jobrun/internal/job"

// Plan is a compiled pipeline: what would run, in order.
type Plan struct {
	// Name is workflow:name, expanded.
	Name string `json:"name,omitempty"`
	// Stages in order, .pre first and .post last.
	Stages []string `json:"stages"`
	// Jobs that are in the pipeline, sorted by stage, then by their order
	// in the configuration.
	Jobs []*Job `json:"jobs"`
	// Excluded lists the jobs that rules, only/except or workflow:rules
	// left out, with the reason.
	Excluded []Excluded `json:"excluded,omitempty"`
	// Notes are things the user should know about how the plan was made
	// (for example rules:changes evaluated without a repository).
	Notes []string `json:"notes,omitempty"`
}

// Excluded is a job that is not in the pipeline.
type Excluded struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Job is one job of the plan: the payload a runner receives plus the
// scheduling facts GitLab keeps on its side.
type Job struct {
	Name  string `json:"name"`
	Stage string `json:"stage"`
	// When is on_success, on_failure, always, manual or delayed.
	When    string `json:"when"`
	StartIn string `json:"start_in,omitempty"`
	// Manual is when == manual: the job runs only when asked for by name.
	Manual bool `json:"manual"`
	// AllowFailure lets the pipeline pass when the job fails; with
	// AllowFailureExitCodes only those exit codes are allowed.
	AllowFailure          bool  `json:"allow_failure"`
	AllowFailureExitCodes []int `json:"allow_failure_exit_codes,omitempty"`
	// Needs is nil when the job follows stage order; an empty, non-nil
	// slice is `needs: []` (start at once).
	Needs []Need `json:"needs"`
	// Dependencies are the jobs whose artifacts this job downloads.
	Dependencies []string     `json:"dependencies"`
	Retry        Retry        `json:"retry"`
	Parallel     *Parallel    `json:"parallel,omitempty"`
	Environment  *Environment `json:"environment,omitempty"`
	Trigger      *Trigger     `json:"trigger,omitempty"`
	// Rule says why the job is in the pipeline.
	Rule          string             `json:"rule"`
	Tags          []string           `json:"tags,omitempty"`
	Interruptible bool               `json:"interruptible,omitempty"`
	ResourceGroup string             `json:"resource_group,omitempty"`
	Coverage      string             `json:"coverage,omitempty"`
	IDTokens      map[string]IDToken `json:"id_tokens,omitempty"`
	// Payload is the job as GitLab would send it to a runner, without a
	// token: the runner core mints CI_JOB_TOKEN and its relatives.
	Payload job.Payload `json:"payload"`
	// Pos is where the job is defined.
	Pos Pos `json:"-"`
}

// Need is one entry of `needs:`.
type Need struct {
	Job       string `json:"job"`
	Artifacts bool   `json:"artifacts"`
	Optional  bool   `json:"optional,omitempty"`
	// Project or Pipeline is set for needs on other pipelines, which a
	// local run cannot satisfy.
	Project  string `json:"project,omitempty"`
	Pipeline string `json:"pipeline,omitempty"`
	Ref      string `json:"ref,omitempty"`
}

// Retry is `retry:`; Max 0 means no retry.
type Retry struct {
	Max       int      `json:"max"`
	When      []string `json:"when,omitempty"`
	ExitCodes []int    `json:"exit_codes,omitempty"`
}

// Parallel is a job's place in `parallel:` (1-based Index).
type Parallel struct {
	Index  int               `json:"index"`
	Total  int               `json:"total"`
	Matrix map[string]string `json:"matrix,omitempty"`
}

// Environment is `environment:`, expanded.
type Environment struct {
	Name   string `json:"name"`
	URL    string `json:"url,omitempty"`
	Action string `json:"action,omitempty"`
	Tier   string `json:"deployment_tier,omitempty"`
	OnStop string `json:"on_stop,omitempty"`
}

// Trigger is `trigger:`. A child pipeline made of local files is compiled
// into Child and can run locally; anything else cannot.
type Trigger struct {
	Project  string   `json:"project,omitempty"`
	Branch   string   `json:"branch,omitempty"`
	Include  []string `json:"include,omitempty"`
	Strategy string   `json:"strategy,omitempty"`
	Local    bool     `json:"local"`
	Reason   string   `json:"reason,omitempty"`
	Child    *Plan    `json:"child,omitempty"`
}

// IDToken is one `id_tokens:` entry; the runner core signs it.
type IDToken struct {
	Aud []string `json:"aud"`
}
