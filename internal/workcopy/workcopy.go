// Package workcopy keeps a pipeline's working copy: the project's files
// as git sees them — tracked files with their uncommitted changes and
// untracked files that are not ignored — copied into a build directory,
// so that jobs test what the developer has, without touching it. A
// second sync copies only files whose size or modification time changed
// and removes what the project no longer has, as a fresh checkout would.
package workcopy

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Stats says what a sync did.
type Stats struct {
	Files, Copied, Removed int
}

// StateDir is jobrun's own directory in a project; it is never copied.
const StateDir = ".jobrun"

// Sync makes dst hold exactly the project files of the git work tree src.
func Sync(ctx context.Context, src, dst string) (Stats, error) {
	listed, err := listFiles(ctx, src)
	if err != nil {
		return Stats{}, err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return Stats{}, fmt.Errorf("creating the working copy: %w", err)
	}
	// A tracked file deleted in the work tree is still listed: only what
	// exists is kept, so the copy loses it too.
	// (Submodules are listed as directories and are not copied.)
	keep := map[string]bool{}
	var files []source
	for _, rel := range listed {
		if fi, err := os.Lstat(filepath.Join(src, rel)); err == nil && !fi.IsDir() {
			keep[rel] = true
			files = append(files, source{rel, fi})
		}
	}
	// Pruning first frees names that change kind (a file that became a
	// directory, or the reverse).
	removed, err := prune(dst, keep)
	if err != nil {
		return Stats{Removed: removed}, err
	}
	copied, err := copyAll(ctx, src, dst, files)
	return Stats{Files: len(files), Copied: copied, Removed: removed}, err
}

// source is one file of the project with what lstat said about it.
type source struct {
	rel  string
	info fs.FileInfo
}

// copyAll syncs files with a few workers: copying many small files waits
// on the file system more than on the CPU.
func copyAll(ctx context.Context, src, dst string, files []source) (int, error) {
	const workers = 4
	var (
		mu       sync.Mutex
		copied   int
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan source)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				did, err := syncFile(filepath.Join(src, f.rel), filepath.Join(dst, f.rel), f.info)
				mu.Lock()
				if did {
					copied++
				}
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		next <- f
	}
	close(next)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return copied, firstErr
}

// listFiles asks git for the tracked and untracked-not-ignored files of
// src, relative to it, without jobrun's own directory.
func listFiles(ctx context.Context, src string) ([]string, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", src, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("listing the project's files in %s: %s", src, msg)
	}
	seen := map[string]bool{}
	var files []string
	for _, rel := range strings.Split(string(out), "\x00") {
		// A tracked file deleted in the work tree is still listed as
		// cached; duplicates come from unmerged entries.
		if rel == "" || seen[rel] || rel == StateDir || strings.HasPrefix(rel, StateDir+"/") {
			continue
		}
		seen[rel] = true
		files = append(files, filepath.FromSlash(rel))
	}
	return files, nil
}

// syncFile copies one file (or symbolic link) unless dst already has the
// same size, mode and modification time. It reports whether it copied.
func syncFile(src, dst string, si fs.FileInfo) (bool, error) {
	if di, err := os.Lstat(dst); err == nil && same(si, di, src, dst) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false, err
	}
	if si.Mode()&fs.ModeSymlink != 0 {
		return true, copyLink(src, dst)
	}
	return true, copyFile(src, dst, si)
}

// same compares files by size, mode and time, and links by target (a
// link's own time cannot be set portably).
func same(a, b fs.FileInfo, aPath, bPath string) bool {
	if a.Mode() != b.Mode() {
		return false
	}
	if a.Mode()&fs.ModeSymlink != 0 {
		at, err1 := os.Readlink(aPath)
		bt, err2 := os.Readlink(bPath)
		return err1 == nil && err2 == nil && at == bt
	}
	return a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

func copyLink(src, dst string) error {
	target, err := os.Readlink(src)
	if err != nil {
		return err
	}
	_ = os.RemoveAll(dst)
	return os.Symlink(target, dst)
}

// copyFile writes a temporary file beside dst and renames it, so a job
// never sees half a file, then gives it src's mode and time.
func copyFile(src, dst string, si fs.FileInfo) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".jobrun-sync-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, in)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), si.Mode().Perm())
	}
	if err == nil {
		err = os.Chtimes(tmp.Name(), si.ModTime(), si.ModTime())
	}
	if err == nil {
		_ = os.RemoveAll(dst) // a directory or link of the same name
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return nil
}

// prune removes from dst every file that is not in keep, and the
// directories that leaves empty.
func prune(dst string, keep map[string]bool) (int, error) {
	removed := 0
	var dirs []string
	err := filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dst, path)
		if rel == "." {
			return nil
		}
		if d.IsDir() {
			dirs = append(dirs, path)
			return nil
		}
		if !keep[rel] {
			removed++
			return os.Remove(path)
		}
		return nil
	})
	// Deepest first; a directory that still holds files stays.
	for i := len(dirs) - 1; i >= 0; i-- {
		_ = os.Remove(dirs[i])
	}
	return removed, err
}
