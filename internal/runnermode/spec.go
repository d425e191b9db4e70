package runnermode

import (
	"strings"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/job"
)

// ExecutorFeatures are the features jobrun implements with the named
// executor, on top of client.ProtocolFeatures: GitLab changes what it
// sends by them, so nothing is listed that jobrun does not do (no
// interactive session or terminal, no proxy, no vault secrets, no raw
// variables).
func ExecutorFeatures(executor string) client.Features {
	f := client.Features{
		Variables:              true,
		Artifacts:              true,
		ArtifactsExclude:       true,
		UploadMultipleArtifact: true,
		UploadRawArtifacts:     true,
		Cache:                  true,
		FallbackCacheKeys:      true,
		Refspecs:               true,
		Masking:                true,
		MultiBuildSteps:        true,
		ReturnExitCode:         true,
	}
	if executor == "docker" {
		f.Image, f.Services = true, true
	}
	return f
}

// mergeFeatures sets in dst every feature set in add.
func mergeFeatures(dst *client.Features, add client.Features) {
	for _, pair := range []struct {
		d *bool
		a bool
	}{
		{&dst.Variables, add.Variables}, {&dst.Image, add.Image}, {&dst.Services, add.Services},
		{&dst.Artifacts, add.Artifacts}, {&dst.Cache, add.Cache}, {&dst.FallbackCacheKeys, add.FallbackCacheKeys},
		{&dst.UploadMultipleArtifact, add.UploadMultipleArtifact}, {&dst.UploadRawArtifacts, add.UploadRawArtifacts},
		{&dst.Refspecs, add.Refspecs}, {&dst.Masking, add.Masking}, {&dst.ArtifactsExclude, add.ArtifactsExclude},
		{&dst.MultiBuildSteps, add.MultiBuildSteps}, {&dst.ReturnExitCode, add.ReturnExitCode},
		{&dst.ServiceVariables, add.ServiceVariables},
	} {
		*pair.d = *pair.d || pair.a
	}
}

// prepare applies the runner's settings to a job: its environment entries
// become variables the job's own override, and a job without an image
// gets the runner's default image.
func (r RunnerSpec) prepare(p *job.Payload) *job.Payload {
	for _, kv := range r.Environment {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		if _, set := p.Variables.Get(k); !set {
			p.Variables = append(p.Variables, job.Variable{Key: k, Value: v})
		}
	}
	if strings.TrimSpace(p.Image.Name) == "" && r.DefaultImage != "" {
		p.Image.Name = r.DefaultImage
	}
	return p
}

// safeName keeps letters, digits, '-', '_' and '.' of s for a directory
// name; anything else becomes '_'.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) == 0 || strings.Trim(string(b), ".") == "" {
		return "runner"
	}
	return string(b)
}
