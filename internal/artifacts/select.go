package artifacts

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// skipDirs are never artifacts: git's and jobrun's own state.
var skipDirs = map[string]bool{".git": true, ".jobrun": true}

// Select returns the files of dir (relative, slash-separated, sorted)
// that artifact a takes: matched by a path or untracked, and not
// excluded.
func Select(ctx context.Context, dir string, a job.Artifact) ([]string, error) {
	include, err := compileAll(a.Paths)
	if err != nil {
		return nil, err
	}
	exclude, err := compileAll(a.Exclude)
	if err != nil {
		return nil, err
	}
	untracked := map[string]bool{}
	if a.Untracked {
		if untracked, err = untrackedFiles(ctx, dir); err != nil {
			return nil, err
		}
	}
	var out []string
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skipDirs[d.Name()] && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if (untracked[rel] || anyMatch(include, rel)) && !anyMatch(exclude, rel) {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("collecting artifacts: %w", err)
	}
	sort.Strings(out)
	return out, nil
}

func compileAll(globs []string) ([]pattern, error) {
	out := make([]pattern, 0, len(globs))
	for _, g := range globs {
		p, err := compile(g)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func anyMatch(ps []pattern, rel string) bool {
	for _, p := range ps {
		if p.matches(rel) {
			return true
		}
	}
	return false
}

// untrackedFiles are the files git does not track, ignored ones
// included, as GitLab's `artifacts:untracked` takes them.
func untrackedFiles(ctx context.Context, dir string) (map[string]bool, error) {
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "ls-files", "-z", "--others")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing untracked files: %s", strings.TrimSpace(stderr.String()+" "+err.Error()))
	}
	files := map[string]bool{}
	for _, f := range strings.Split(string(out), "\x00") {
		if f != "" {
			files[f] = true
		}
	}
	return files, nil
}

// Copy copies files (relative to from) into to, keeping their relative
// paths and modes; symbolic links are copied as links.
func Copy(from, to string, files []string) error {
	for _, rel := range files {
		src, dst := filepath.Join(from, filepath.FromSlash(rel)), filepath.Join(to, filepath.FromSlash(rel))
		if err := copyOne(src, dst); err != nil {
			return fmt.Errorf("copying artifact %s: %w", rel, err)
		}
	}
	return nil
}

func copyOne(src, dst string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	_ = os.Remove(dst)
	if fi.Mode()&fs.ModeSymlink != 0 {
		target, err := os.Readlink(src)
		if err != nil {
			return err
		}
		return os.Symlink(target, dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// List returns every file under dir, relative and sorted: what a store
// holds for one job.
func List(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(out)
	return out, err
}
