// Package job defines the job payload: the JSON document GitLab returns to
// a runner from POST /api/v4/jobs/request. It is the one job shape in
// jobrun: the pipeline compiler produces it for local runs, the API client
// decodes it in runner mode, and the runner core executes it.
//
// Field names and JSON tags follow GitLab's wire format
// (Entities::Ci::JobRequest::Response in Rails, spec.Job in GitLab Runner).
package job

// Payload is one job as GitLab hands it to a runner.
type Payload struct {
	ID            int64        `json:"id"`
	Token         string       `json:"token"`
	AllowGitFetch bool         `json:"allow_git_fetch"`
	JobInfo       JobInfo      `json:"job_info"`
	GitInfo       GitInfo      `json:"git_info"`
	RunnerInfo    RunnerInfo   `json:"runner_info"`
	Variables     Variables    `json:"variables"`
	Steps         []Step       `json:"steps,omitempty"`
	Hooks         []Hook       `json:"hooks"`
	Image         Image        `json:"image"`
	Services      []Service    `json:"services"`
	Artifacts     []Artifact   `json:"artifacts"`
	Cache         []Cache      `json:"cache"`
	Credentials   []Credential `json:"credentials"`
	Dependencies  []Dependency `json:"dependencies"`
	Features      Features     `json:"features"`
	// Run holds step-runner steps as a JSON string when the job uses `run:`.
	Run string `json:"run,omitempty"`
}

// JobInfo describes the job and its project.
type JobInfo struct {
	ID                int64   `json:"id"`
	Name              string  `json:"name"`
	Stage             string  `json:"stage"`
	PipelineID        int64   `json:"pipeline_id"`
	ProjectID         int64   `json:"project_id"`
	ProjectName       string  `json:"project_name"`
	ProjectFullPath   string  `json:"project_full_path"`
	NamespaceID       int64   `json:"namespace_id,omitempty"`
	RootNamespaceID   int64   `json:"root_namespace_id,omitempty"`
	OrganizationID    int64   `json:"organization_id,omitempty"`
	InstanceID        string  `json:"instance_id,omitempty"`
	InstanceUUID      string  `json:"instance_uuid,omitempty"`
	UserID            int64   `json:"user_id,omitempty"`
	ScopedUserID      *int64  `json:"scoped_user_id,omitempty"`
	TimeInQueueSecond float64 `json:"time_in_queue_seconds,omitempty"`
	// GitLab sends this count as a string.
	ProjectJobsRunningOnInstanceRunnersCount string `json:"project_jobs_running_on_instance_runners_count,omitempty"`
	QueueSize                                int64  `json:"queue_size,omitempty"`
	QueueDepth                               int64  `json:"queue_depth,omitempty"`
}

// Ref types of GitInfo.RefType.
const (
	RefTypeBranch = "branch"
	RefTypeTag    = "tag"
)

// GitInfo says what to check out. RepoURL carries the job token.
type GitInfo struct {
	RepoURL          string   `json:"repo_url"`
	Ref              string   `json:"ref"`
	Sha              string   `json:"sha"`
	BeforeSha        string   `json:"before_sha"`
	RefType          string   `json:"ref_type"`
	Refspecs         []string `json:"refspecs"`
	Depth            int      `json:"depth"`
	RepoObjectFormat string   `json:"repo_object_format,omitempty"`
	Protected        *bool    `json:"protected,omitempty"`
}

// DefaultTimeout is the job timeout in seconds GitLab Runner uses when the
// payload gives none (runner_info.timeout ≤ 0).
const DefaultTimeout = 7200

// RunnerInfo carries the job's timeout in seconds.
type RunnerInfo struct {
	UUID             string  `json:"uuid,omitempty"`
	Timeout          int     `json:"timeout"`
	RunnerSessionURL *string `json:"runner_session_url"`
}

// Step names used in Payload.Steps.
const (
	StepScript      = "script"
	StepAfterScript = "after_script"
	StepRelease     = "release"
)

// When values of steps, artifacts and caches.
const (
	WhenOnSuccess = "on_success"
	WhenOnFailure = "on_failure"
	WhenAlways    = "always"
)

// Step is one script step; `script` carries before_script + script.
type Step struct {
	Name         string   `json:"name"`
	Script       []string `json:"script"`
	Timeout      int      `json:"timeout"`
	When         string   `json:"when"`
	AllowFailure bool     `json:"allow_failure"`
}

// Hook is a pre/post get-sources script.
type Hook struct {
	Name   string   `json:"name"`
	Script []string `json:"script"`
}

// Port is a port an image or service exposes.
type Port struct {
	Number   int    `json:"number"`
	Protocol string `json:"protocol,omitempty"`
	Name     string `json:"name,omitempty"`
}

// ExecutorOpts are executor-specific image options.
type ExecutorOpts struct {
	Docker     *DockerOpts     `json:"docker,omitempty"`
	Kubernetes *KubernetesOpts `json:"kubernetes,omitempty"`
}

// DockerOpts are `image:docker:` options.
type DockerOpts struct {
	Platform string `json:"platform,omitempty"`
	User     string `json:"user,omitempty"`
}

// KubernetesOpts are `image:kubernetes:` options.
type KubernetesOpts struct {
	User string `json:"user,omitempty"`
}

// Image is the job's build image.
type Image struct {
	Name         string       `json:"name,omitempty"`
	Alias        string       `json:"alias,omitempty"`
	Command      []string     `json:"command,omitempty"`
	Entrypoint   []string     `json:"entrypoint"`
	Ports        []Port       `json:"ports"`
	ExecutorOpts ExecutorOpts `json:"executor_opts"`
	PullPolicy   []string     `json:"pull_policy"`
	Variables    Variables    `json:"variables,omitempty"`
}

// Service is a service container; Alias may hold several aliases
// separated by commas or spaces.
type Service = Image

// Artifact types and formats.
const (
	ArtifactTypeArchive = "archive"
	ArtifactTypeDotenv  = "dotenv"
	ArtifactFormatZip   = "zip"
	ArtifactFormatGzip  = "gzip"
	ArtifactFormatRaw   = "raw"
)

// Artifact is one artifacts upload the job makes after its script.
type Artifact struct {
	Name           string   `json:"name"`
	Untracked      bool     `json:"untracked"`
	Paths          []string `json:"paths"`
	Exclude        []string `json:"exclude"`
	When           string   `json:"when"`
	ExpireIn       string   `json:"expire_in"`
	ArtifactType   string   `json:"artifact_type"`
	ArtifactFormat string   `json:"artifact_format"`
}

// Cache policies.
const (
	CachePullPush = "pull-push"
	CachePull     = "pull"
	CachePush     = "push"
)

// Cache is one cache entry.
type Cache struct {
	Key          string   `json:"key"`
	Untracked    bool     `json:"untracked"`
	Paths        []string `json:"paths"`
	Policy       string   `json:"policy"`
	When         string   `json:"when"`
	FallbackKeys []string `json:"fallback_keys"`
}

// Credential is registry credentials; Password is the job token.
type Credential struct {
	Type     string `json:"type"`
	URL      string `json:"url"`
	Username string `json:"username"`
	Password string `json:"password"`
}

// Dependency is a job whose artifacts this job downloads, with that job's
// token for the download.
type Dependency struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	Token         string         `json:"token"`
	ArtifactsFile *ArtifactsFile `json:"artifacts_file,omitempty"`
}

// ArtifactsFile describes a dependency's artifacts archive.
type ArtifactsFile struct {
	Filename string `json:"filename"`
	Size     int64  `json:"size"`
}

// Features are server-side switches for this job.
type Features struct {
	TraceSections     bool     `json:"trace_sections"`
	FailureReasons    []string `json:"failure_reasons,omitempty"`
	TokenMaskPrefixes []string `json:"token_mask_prefixes,omitempty"`
}
