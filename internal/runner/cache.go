package runner

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/jobrun/jobrun/internal/archive"
	"github.com/jobrun/jobrun/internal/job"
)

// Section names of GitLab Runner's cache stages.
const (
	SectionRestoreCache          = "restore_cache"
	SectionArchiveCache          = "archive_cache"
	SectionArchiveCacheOnFailure = "archive_cache_on_failure"
)

// restoreCache extracts each `cache:` entry that pulls, trying its key and
// then its fallback keys, as GitLab Runner does with a local cache. A
// missing or broken cache is a warning, never a failure.
func (r *Runner) restoreCache(t *trace, j Job) {
	entries := cachesWith(j.Payload.Cache, job.CachePull)
	if r.CacheDir == "" || len(entries) == 0 {
		return
	}
	t.sectionStart(SectionRestoreCache, "Restoring cache")
	defer t.sectionEnd(SectionRestoreCache)
	for _, c := range entries {
		restored := false
		for _, key := range append([]string{cacheKey(c.Key)}, c.FallbackKeys...) {
			t.line(fmt.Sprintf("Checking cache for %s...", cacheKey(key)))
			err := restoreZip(r.cacheZip(key), j.Dir)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil {
				t.warning(fmt.Sprintf("Failed to extract cache %s: %v", cacheKey(key), err))
				continue
			}
			t.line("Successfully extracted cache")
			restored = true
			break
		}
		if !restored {
			t.warning(fmt.Sprintf("no cache found for %s", cacheKey(c.Key)))
		}
	}
}

// archiveCache saves each `cache:` entry that pushes and whose `when:`
// matches the result. Failures are warnings.
func (r *Runner) archiveCache(ctx context.Context, t *trace, j Job, res Result) {
	var entries []job.Cache
	for _, c := range cachesWith(j.Payload.Cache, job.CachePush) {
		if whenMatches(c.When, res) {
			entries = append(entries, c)
		}
	}
	if r.CacheDir == "" || len(entries) == 0 || res.Status == StatusCanceled {
		return
	}
	section := SectionArchiveCache
	if res.Status != StatusSuccess {
		section = SectionArchiveCacheOnFailure
	}
	t.sectionStart(section, "Saving cache")
	defer t.sectionEnd(section)
	for _, c := range entries {
		key := cacheKey(c.Key)
		t.line(fmt.Sprintf("Creating cache %s...", key))
		selected, warnings, err := archive.Select(ctx, archive.Spec{
			Root: j.Dir, Paths: c.Paths, Exclude: []string{".jobrun"}, Untracked: c.Untracked,
		})
		for _, w := range warnings {
			t.warning(w)
		}
		if err == nil && len(selected) == 0 {
			t.warning(fmt.Sprintf("no files to cache for %s", key))
			continue
		}
		if err == nil {
			err = writeZipAtomic(r.cacheZip(key), j.Dir, selected)
		}
		if err != nil {
			t.warning(fmt.Sprintf("could not save cache %s: %v", key, err))
			continue
		}
		t.line(fmt.Sprintf("Created cache %s with %d files and directories", key, len(selected)))
	}
}

// cachesWith returns the entries whose policy includes pull or push
// (pull-push, the default, includes both).
func cachesWith(caches []job.Cache, want string) []job.Cache {
	var out []job.Cache
	for _, c := range caches {
		policy := c.Policy
		if policy == "" {
			policy = job.CachePullPush
		}
		if policy == job.CachePullPush || policy == want {
			out = append(out, c)
		}
	}
	return out
}

// cacheKey is GitLab's key, "default" when none is given.
func cacheKey(key string) string {
	if key == "" {
		return "default"
	}
	return key
}

// cacheZip is where a key's archive lives; the key becomes one safe
// file name, so no key can point outside the cache directory.
func (r *Runner) cacheZip(key string) string {
	return filepath.Join(r.CacheDir, safeName(cacheKey(key))+".zip")
}

// writeZipAtomic zips entries of root to path through a temporary file
// renamed into place: concurrent jobs with one key never see half a zip.
func writeZipAtomic(path, root string, entries []string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".*.zip.tmp")
	if err != nil {
		return err
	}
	_, err = archive.WriteZip(tmp, root, slices.Clone(entries))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}
