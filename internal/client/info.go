package client

import (
	"crypto/tls"
	"net/http"
	"strconv"
	"time"
)

// Info is the "info" object of verify, jobs/request and job updates.
type Info struct {
	Name         string       `json:"name"`
	Version      string       `json:"version"`
	Revision     string       `json:"revision,omitempty"`
	Platform     string       `json:"platform"`
	Architecture string       `json:"architecture"`
	Executor     string       `json:"executor,omitempty"`
	Shell        string       `json:"shell,omitempty"`
	Features     Features     `json:"features"`
	Config       *InfoConfig  `json:"config,omitempty"`
	Labels       InfoLabelMap `json:"labels,omitempty"`
}

// InfoConfig is info.config.
type InfoConfig struct {
	GPUs string `json:"gpus"`
}

// InfoLabelMap is info.labels.
type InfoLabelMap map[string]string

// Features is info.features. Only features set to true are sent: a
// runner must advertise exactly what it implements, because several of
// them change what GitLab sends (masked variables, canceling, two-phase
// commit, checksums).
type Features struct {
	Variables              bool `json:"variables,omitempty"`
	Image                  bool `json:"image,omitempty"`
	Services               bool `json:"services,omitempty"`
	Artifacts              bool `json:"artifacts,omitempty"`
	Cache                  bool `json:"cache,omitempty"`
	FallbackCacheKeys      bool `json:"fallback_cache_keys,omitempty"`
	Shared                 bool `json:"shared,omitempty"`
	UploadMultipleArtifact bool `json:"upload_multiple_artifacts,omitempty"`
	UploadRawArtifacts     bool `json:"upload_raw_artifacts,omitempty"`
	Session                bool `json:"session,omitempty"`
	Terminal               bool `json:"terminal,omitempty"`
	Refspecs               bool `json:"refspecs,omitempty"`
	Masking                bool `json:"masking,omitempty"`
	Proxy                  bool `json:"proxy,omitempty"`
	RawVariables           bool `json:"raw_variables,omitempty"`
	ArtifactsExclude       bool `json:"artifacts_exclude,omitempty"`
	MultiBuildSteps        bool `json:"multi_build_steps,omitempty"`
	TraceReset             bool `json:"trace_reset,omitempty"`
	TraceChecksum          bool `json:"trace_checksum,omitempty"`
	TraceSize              bool `json:"trace_size,omitempty"`
	VaultSecrets           bool `json:"vault_secrets,omitempty"`
	Cancelable             bool `json:"cancelable,omitempty"`
	ReturnExitCode         bool `json:"return_exit_code,omitempty"`
	ServiceVariables       bool `json:"service_variables,omitempty"`
	CancelGracefully       bool `json:"cancel_gracefully,omitempty"`
	TwoPhaseJobCommit      bool `json:"two_phase_job_commit,omitempty"`
}

// ProtocolFeatures are the features this package itself implements: the
// trace uploader resends the whole trace on 412 (trace_reset), reports a
// checksum and size, handles canceling and canceled, and Client.AcceptJob
// does the two-phase commit. Callers add their executor's and shell's
// features on top.
func ProtocolFeatures() Features {
	return Features{
		TraceReset:        true,
		TraceChecksum:     true,
		TraceSize:         true,
		Cancelable:        true,
		CancelGracefully:  true,
		TwoPhaseJobCommit: true,
	}
}

// Response is what the client learned from one answer; its body has
// already been read or closed.
type Response struct {
	StatusCode int
	Header     http.Header
	// JobStatus is the Job-Status header (running, canceling, canceled,
	// failed, ...), or "".
	JobStatus string
	// UpdateInterval is X-GitLab-Trace-Update-Interval, 0 when absent or
	// not a positive number.
	UpdateInterval time.Duration
}

func newResponse(resp *http.Response) *Response {
	r := &Response{StatusCode: resp.StatusCode, Header: resp.Header, JobStatus: resp.Header.Get(headerJobStatus)}
	if s, err := strconv.Atoi(resp.Header.Get(headerUpdateInterval)); err == nil && s > 0 {
		r.UpdateInterval = time.Duration(s) * time.Second
	}
	return r
}

func minTLS() *tls.Config { return &tls.Config{MinVersion: tls.VersionTLS12} }
