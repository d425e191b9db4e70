package runner

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNoArtifactZip says no local pipeline under a project saved
// artifacts for a job of that name.
var ErrNoArtifactZip = errors.New("no artifacts for this job")

// LatestArtifactZip finds the newest artifact archive of the job named
// jobName among every local pipeline of the project at stateRoot
// (.jobrun/artifacts/<pipeline>/<job>.zip, written by LocalArtifacts).
// An archive is only kept once its job's artifacts step ran, so the
// newest one belongs to the latest job of that name that saved any.
func LatestArtifactZip(stateRoot, jobName string) (string, error) {
	pipelines, err := os.ReadDir(filepath.Join(stateRoot, ".jobrun", "artifacts"))
	if err != nil {
		return "", ErrNoArtifactZip
	}
	var best string
	var bestInfo fs.FileInfo
	for _, p := range pipelines {
		if !p.IsDir() {
			continue
		}
		path := filepath.Join(stateRoot, ".jobrun", "artifacts", p.Name(), safeName(jobName)+".zip")
		info, err := os.Stat(path)
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		if bestInfo == nil || info.ModTime().After(bestInfo.ModTime()) {
			best, bestInfo = path, info
		}
	}
	if best == "" {
		return "", ErrNoArtifactZip
	}
	return best, nil
}
