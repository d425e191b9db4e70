package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/jobrun/jobrun/internal/archive"
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
	// Restore puts the artifacts of the job's dependencies
	// (payload.dependencies) into its directory before its script.
	Restore(ctx context.Context, j Job, w io.Writer) error
}

// SectionDownloadArtifacts is GitLab Runner's section for restoring the
// dependencies' artifacts.
const SectionDownloadArtifacts = "download_artifacts"

// downloadArtifacts restores the dependencies' artifacts; a failure is
// a system failure of the job, before its script runs.
func (r *Runner) downloadArtifacts(ctx context.Context, t *trace, j Job) error {
	if r.Artifacts == nil || len(j.Payload.Dependencies) == 0 {
		return nil
	}
	t.sectionStart(SectionDownloadArtifacts, "Downloading artifacts")
	defer t.sectionEnd(SectionDownloadArtifacts)
	if err := r.Artifacts.Restore(ctx, j, t.w); err != nil {
		t.failure(err.Error())
		return err
	}
	return nil
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
		if !whenMatches(a.When, res) {
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

// whenMatches reports whether an artifacts or cache entry's `when`
// (on_success by default, on_failure, always) applies to the job's result.
func whenMatches(when string, res Result) bool {
	switch when {
	case job.WhenAlways:
		return true
	case job.WhenOnFailure:
		return res.Status == StatusFailed
	default:
		return res.Status == StatusSuccess
	}
}

// LocalArtifacts is the artifact store of a local pipeline: archives
// are zipped to Root/<job>.zip and restored into the jobs that depend on
// them; `reports:dotenv` variables are kept for those jobs; other
// reports are not kept, and it says so.
type LocalArtifacts struct {
	// Root holds one directory per job (.jobrun/artifacts/<pipeline>).
	Root string

	mu     sync.Mutex
	dotenv map[string]job.Variables
	saved  map[string]bool
	// restoring serializes extractions: jobs of one pipeline share a
	// directory, and two extractions of one file would collide.
	restoring sync.Mutex
}

// Save implements Artifacts.
func (l *LocalArtifacts) Save(ctx context.Context, j Job, a job.Artifact, w io.Writer) error {
	switch a.ArtifactType {
	case "", job.ArtifactTypeArchive:
		return l.saveArchive(ctx, j, a, w)
	case job.ArtifactTypeDotenv:
		return l.saveDotenv(j, a, w)
	}
	fmt.Fprintf(w, "%sWARNING: %s artifacts are not kept by jobrun exec%s\n", ansiYellow, artifactKind(a), ansiReset)
	return nil
}

func (l *LocalArtifacts) saveArchive(ctx context.Context, j Job, a job.Artifact, w io.Writer) error {
	// jobrun's own directory is never an artifact (untracked: true
	// would otherwise take the logs and the store itself).
	entries, warnings, err := archive.Select(ctx, archive.Spec{
		Root: j.Dir, Paths: a.Paths, Exclude: append(slices.Clone(a.Exclude), ".jobrun"), Untracked: a.Untracked,
	})
	for _, warning := range warnings {
		fmt.Fprintf(w, "%sWARNING: %s%s\n", ansiYellow, warning, ansiReset)
	}
	if err != nil {
		return fmt.Errorf("collecting artifacts: %w", err)
	}
	fmt.Fprintf(w, "%s: found %d matching artifact files and directories\n", artifactKind(a), len(entries))
	if len(entries) == 0 {
		fmt.Fprintf(w, "%sWARNING: no matching files; artifact paths are relative to %s%s\n", ansiYellow, j.Dir, ansiReset)
		return nil
	}
	if l.Root == "" {
		fmt.Fprintf(w, "%sWARNING: this run keeps no artifacts: nothing was saved%s\n", ansiYellow, ansiReset)
		return nil
	}
	if err := writeZipAtomic(l.zipOf(j.Payload.JobInfo.Name), j.Dir, entries); err != nil {
		return fmt.Errorf("saving artifacts: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.saved == nil {
		l.saved = map[string]bool{}
	}
	l.saved[j.Payload.JobInfo.Name] = true
	return nil
}

// Restore implements Artifacts.
func (l *LocalArtifacts) Restore(_ context.Context, j Job, w io.Writer) error {
	l.restoring.Lock()
	defer l.restoring.Unlock()
	for _, d := range j.Payload.Dependencies {
		if err := restoreZip(l.zipOf(d.Name), j.Dir); err != nil {
			return fmt.Errorf("artifacts of %s: %w", d.Name, err)
		}
		fmt.Fprintf(w, "Restored the artifacts of %s\n", d.Name)
	}
	return nil
}

func restoreZip(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	return archive.Extract(f, fi.Size(), dir, 0)
}

// HasArchive reports whether the named job saved an archive.
func (l *LocalArtifacts) HasArchive(name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.saved[name]
}

func (l *LocalArtifacts) zipOf(jobName string) string {
	return filepath.Join(l.Root, safeName(jobName)+".zip")
}

func (l *LocalArtifacts) saveDotenv(j Job, a job.Artifact, w io.Writer) error {
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
