package runnermode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/jobrun/jobrun/internal/archive"
	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/runner"
)

// maxExtract bounds what one dependency's archive may unpack to, so a
// hostile zip cannot fill the disk.
const maxExtract = 4 << 30

// remoteArtifacts is runner.Artifacts against GitLab: dependencies are
// downloaded with their own tokens, the job's artifacts uploaded with its
// token. Archives pass through private temp files (mode 0600) that are
// removed at once.
type remoteArtifacts struct {
	c       *client.Client
	tempDir string
	// missing is set when a dependency's artifacts were gone (404): the
	// job then fails with missing_dependency_failure.
	missing bool
}

// Restore downloads and extracts every dependency that has artifacts.
func (a *remoteArtifacts) Restore(ctx context.Context, j runner.Job, w io.Writer) error {
	for _, dep := range j.Payload.Dependencies {
		if dep.ArtifactsFile == nil {
			continue
		}
		fmt.Fprintf(w, "Downloading artifacts for %s (%d)...\n", dep.Name, dep.ID)
		if err := a.restoreOne(ctx, dep, j.Dir); err != nil {
			var md *missingDependency
			a.missing = errors.As(err, &md)
			return err
		}
		fmt.Fprintf(w, "Downloading artifacts from coordinator... ok\n")
	}
	return nil
}

func (a *remoteArtifacts) restoreOne(ctx context.Context, dep job.Dependency, dir string) error {
	f, err := os.CreateTemp(a.tempDir, "jobrun-dependency-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := a.c.DownloadArtifacts(ctx, dep, f); err != nil {
		if errors.Is(err, client.ErrNotFound) {
			return &missingDependency{name: dep.Name, err: err}
		}
		return err
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if err := archive.Extract(f, size, dir, maxExtract); err != nil {
		return fmt.Errorf("artifacts of %s: %w", dep.Name, err)
	}
	return nil
}

// missingDependency is a dependency whose artifacts GitLab no longer has.
type missingDependency struct {
	name string
	err  error
}

func (e *missingDependency) Error() string {
	return fmt.Sprintf("artifacts of %s are gone: %v", e.name, e.err)
}
func (e *missingDependency) Unwrap() error { return e.err }

// Save packs one `artifacts:` entry as the payload says (zip for
// archives, gzip or raw for reports such as dotenv) and uploads it.
func (a *remoteArtifacts) Save(ctx context.Context, j runner.Job, art job.Artifact, w io.Writer) error {
	entries, warnings, err := archive.Select(ctx, archive.Spec{Root: j.Dir, Paths: art.Paths, Exclude: art.Exclude, Untracked: art.Untracked})
	for _, warn := range warnings {
		fmt.Fprintf(w, "WARNING: %s\n", warn)
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintf(w, "WARNING: no files to upload for %s\n", artifactLabel(art))
		return nil
	}
	fmt.Fprintf(w, "Uploading artifacts for %s: %d files and directories\n", artifactLabel(art), len(entries))
	path, err := a.pack(j.Dir, art, entries)
	if err != nil {
		return err
	}
	defer os.Remove(path)
	_, err = a.c.UploadArtifact(ctx, j.Payload, client.ArtifactUpload{
		Path: path, Name: uploadName(art), Type: artifactType(art), Format: artifactFormat(art), ExpireIn: art.ExpireIn,
	})
	if err != nil {
		return fmt.Errorf("uploading artifacts to coordinator: %w", err)
	}
	fmt.Fprintln(w, "Uploading artifacts to coordinator... 201 Created")
	return nil
}

// pack writes the entries into a private temp file in the entry's format.
func (a *remoteArtifacts) pack(root string, art job.Artifact, entries []string) (string, error) {
	f, err := os.CreateTemp(a.tempDir, "jobrun-artifact-*")
	if err != nil {
		return "", err
	}
	switch artifactFormat(art) {
	case "gzip":
		err = archive.WriteGzip(f, root, entries)
	case "raw":
		err = copyRaw(f, root, entries)
	default:
		_, err = archive.WriteZip(f, root, entries)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("packing %s: %w", artifactLabel(art), err)
	}
	return f.Name(), nil
}

// copyRaw copies a raw report, which is exactly one file.
func copyRaw(w io.Writer, root string, entries []string) error {
	if len(entries) != 1 {
		return fmt.Errorf("a raw artifact is one file, got %d", len(entries))
	}
	src, err := os.Open(filepath.Join(root, entries[0]))
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(w, src)
	return err
}

func artifactType(a job.Artifact) string {
	if a.ArtifactType == "" {
		return job.ArtifactTypeArchive
	}
	return a.ArtifactType
}

func artifactFormat(a job.Artifact) string {
	if a.ArtifactFormat == "" {
		return "zip"
	}
	return a.ArtifactFormat
}

// uploadName is the file name GitLab stores, as GitLab Runner names it.
func uploadName(a job.Artifact) string {
	switch artifactFormat(a) {
	case "gzip":
		return artifactType(a) + ".gz"
	case "raw":
		return artifactType(a)
	}
	return "artifacts.zip"
}

func artifactLabel(a job.Artifact) string {
	if a.Name != "" {
		return a.Name
	}
	return artifactType(a)
}
