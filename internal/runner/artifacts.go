package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/jobrun/jobrun/internal/job"
)

// ReasonUnknown is GitLab's failure reason for what fits no other, here a
// failed artifact upload.
const ReasonUnknown = "unknown_failure"

// Artifacts receives what a job leaves for later jobs: in runner mode an
// upload to GitLab, for `jobrun exec` a local store.
type Artifacts interface {
	// Save keeps one `artifacts:` entry of a finished job; messages
	// for the trace go to w.
	Save(ctx context.Context, j Job, a job.Artifact, w io.Writer) error
}

// uploadArtifacts saves the artifact entries whose `when:` matches the
// result, in GitLab's upload section. A failed save fails the job.
func (r *Runner) uploadArtifacts(ctx context.Context, t *trace, j Job, res Result) Result {
	if len(j.Payload.Artifacts) == 0 || res.Status == StatusCanceled {
		return res
	}
	section, header := SectionUploadSuccess, "Uploading artifacts for successful job"
	if res.Status != StatusSuccess {
		section, header = SectionUploadFailure, "Uploading artifacts for failed job"
	}
	t.sectionStart(section, header)
	defer t.sectionEnd(section)
	if r.Artifacts == nil {
		t.warning("this runner keeps no artifacts: nothing was saved")
		return res
	}
	for _, a := range j.Payload.Artifacts {
		if !artifactWanted(a, res) {
			continue
		}
		if err := r.Artifacts.Save(ctx, j, a, t.w); err != nil {
			t.failure(err.Error())
			if res.Status == StatusSuccess {
				res = Result{Status: StatusFailed, FailureReason: ReasonUnknown}
			}
		}
	}
	return res
}

func artifactWanted(a job.Artifact, res Result) bool {
	switch a.When {
	case job.WhenAlways:
		return true
	case job.WhenOnFailure:
		return res.Status == StatusFailed
	default:
		return res.Status == StatusSuccess
	}
}

// LocalArtifacts is the artifact store of a local pipeline. It keeps
// `reports:dotenv` variables for the jobs that depend on their job;
// archives and other reports are not kept yet, and it says so.
type LocalArtifacts struct {
	mu     sync.Mutex
	dotenv map[string]job.Variables
}

// Save implements Artifacts.
func (l *LocalArtifacts) Save(_ context.Context, j Job, a job.Artifact, w io.Writer) error {
	if a.ArtifactType != job.ArtifactTypeDotenv {
		fmt.Fprintf(w, "%sWARNING: %s artifacts are not kept by jobrun exec yet%s\n", ansiYellow, artifactKind(a), ansiReset)
		return nil
	}
	var vars job.Variables
	for _, p := range a.Paths {
		path, err := insideDir(j.Dir, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("dotenv report %s: %w", p, err)
		}
		parsed, err := ParseDotenv(p, data)
		if err != nil {
			return err
		}
		for _, v := range parsed {
			vars.Set(v)
		}
		fmt.Fprintf(w, "%s: %d variables for later jobs\n", p, len(parsed))
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dotenv == nil {
		l.dotenv = map[string]job.Variables{}
	}
	l.dotenv[j.Payload.JobInfo.Name] = vars
	return nil
}

// Dotenv returns the dotenv variables the named job left.
func (l *LocalArtifacts) Dotenv(name string) job.Variables {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dotenv[name]
}

func artifactKind(a job.Artifact) string {
	if a.ArtifactType == "" || a.ArtifactType == job.ArtifactTypeArchive {
		return "archive (" + strings.Join(a.Paths, ", ") + ")"
	}
	return a.ArtifactType + " report"
}

// insideDir resolves a job-relative path and refuses one that leaves the
// job's directory.
func insideDir(dir, rel string) (string, error) {
	p := filepath.Join(dir, rel)
	if r, err := filepath.Rel(dir, p); err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return "", fmt.Errorf("artifact path %s is outside the project directory", rel)
	}
	return p, nil
}
