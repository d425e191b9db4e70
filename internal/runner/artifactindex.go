package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
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

// UnpackedArtifacts gives the local job API (which serves a directory)
// the latest artifacts of a job, unpacked once per archive into
// .jobrun/api-artifacts/<hash of the archive's path and time>/. It is
// safe for concurrent use.
type UnpackedArtifacts struct{ mu sync.Mutex }

// Dir returns the directory holding the newest artifacts of jobName in
// the project at stateRoot, or ErrNoArtifactZip.
func (u *UnpackedArtifacts) Dir(stateRoot, jobName string) (string, error) {
	zipPath, err := LatestArtifactZip(stateRoot, jobName)
	if err != nil {
		return "", err
	}
	info, err := os.Stat(zipPath)
	if err != nil {
		return "", ErrNoArtifactZip
	}
	sum := sha256.Sum256([]byte(zipPath + "\x00" + info.ModTime().String()))
	dir := filepath.Join(stateRoot, ".jobrun", "api-artifacts", hex.EncodeToString(sum[:8]))
	u.mu.Lock()
	defer u.mu.Unlock()
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	// Unpacked beside the final name and renamed: a failed extraction
	// never leaves a half-filled directory that later requests would use.
	tmp := dir + ".tmp"
	_ = os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return "", err
	}
	if err := restoreZip(zipPath, tmp); err != nil {
		_ = os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", err
	}
	return dir, nil
}
