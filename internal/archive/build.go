package archive

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Spec selects files under Root, as an artifacts[] entry does.
type Spec struct {
	Root      string
	Paths     []string
	Exclude   []string
	Untracked bool // add every file git does not track (ignored ones too)
}

// Select returns the slash-separated relative paths the spec selects,
// sorted, directories before their contents: every entry that matches a
// path pattern or lies under a matching directory, minus those that match
// an exclude pattern or lie under an excluded directory. Symbolic links
// are selected as links and never followed. Patterns that point outside
// Root are reported in warnings and skipped, as GitLab Runner does.
func Select(ctx context.Context, spec Spec) (selected, warnings []string, err error) {
	var include, exclude []string
	for _, p := range spec.Paths {
		if c, ok := cleanPattern(p); ok {
			include = append(include, c)
		} else {
			warnings = append(warnings, fmt.Sprintf("%s: not a path inside the project directory, skipped", p))
		}
	}
	for _, p := range spec.Exclude {
		if c, ok := cleanPattern(p); ok {
			exclude = append(exclude, c)
		}
	}
	for _, p := range slices.Concat(include, exclude) {
		if _, err := Match(p, ""); err != nil {
			return nil, warnings, err
		}
	}
	untracked := map[string]bool{}
	if spec.Untracked {
		if untracked, err = untrackedFiles(ctx, spec.Root); err != nil {
			return nil, warnings, err
		}
	}
	err = filepath.WalkDir(spec.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(spec.Root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if underAny(exclude, rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if underAny(include, rel) || untracked[rel] {
			selected = append(selected, rel)
		}
		return nil
	})
	return selected, warnings, err
}

// underAny reports whether rel or one of its parent directories matches
// one of the patterns.
func underAny(patterns []string, rel string) bool {
	for p := rel; p != "." && p != ""; p = path.Dir(p) {
		for _, pat := range patterns {
			if ok, _ := Match(pat, p); ok {
				return true
			}
		}
	}
	return false
}

// untrackedFiles lists files git does not track under root, .gitignore
// notwithstanding (artifacts:untracked includes ignored files).
func untrackedFiles(ctx context.Context, root string) (map[string]bool, error) {
	cmd := exec.CommandContext(ctx, "git", "ls-files", "--others", "-z")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("listing untracked files: %w", err)
	}
	files := map[string]bool{}
	for _, f := range bytes.Split(out, []byte{0}) {
		if len(f) > 0 {
			files[string(f)] = true
		}
	}
	return files, nil
}

// WriteZip writes a zip of the selected entries of root to w: regular
// files (deflated, with their mode), directories, and symbolic links as
// links. It returns the number of entries.
func WriteZip(w io.Writer, root string, entries []string) (int, error) {
	zw := zip.NewWriter(w)
	for _, rel := range entries {
		if err := addEntry(zw, root, rel); err != nil {
			return 0, err
		}
	}
	return len(entries), zw.Close()
}

func addEntry(zw *zip.Writer, root, rel string) error {
	full := filepath.Join(root, filepath.FromSlash(rel))
	info, err := os.Lstat(full)
	if err != nil {
		return err
	}
	hdr, err := zip.FileInfoHeader(info)
	if err != nil {
		return err
	}
	hdr.Name = rel
	switch {
	case info.IsDir():
		hdr.Name += "/"
		_, err = zw.CreateHeader(hdr)
		return err
	case info.Mode()&fs.ModeSymlink != 0:
		target, err := os.Readlink(full)
		if err != nil {
			return err
		}
		hdr.Method = zip.Store
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		_, err = io.WriteString(fw, target)
		return err
	case info.Mode().IsRegular():
		hdr.Method = zip.Deflate
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		f, err := os.Open(full)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(fw, f)
		return err
	}
	return nil // sockets, devices, fifos are not artifacts
}

// WriteGzip writes the selected regular files as one gzip member each, the
// "gzip" artifact format GitLab uses for reports such as dotenv.
func WriteGzip(w io.Writer, root string, entries []string) error {
	for _, rel := range entries {
		full := filepath.Join(root, filepath.FromSlash(rel))
		info, err := os.Lstat(full)
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			continue
		}
		if err := gzipFile(w, full, strings.TrimPrefix(rel, "./")); err != nil {
			return err
		}
	}
	return nil
}

func gzipFile(w io.Writer, full, name string) error {
	f, err := os.Open(full)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := gzip.NewWriter(w)
	zw.Name = path.Base(name)
	if _, err := io.Copy(zw, f); err != nil {
		return err
	}
	return zw.Close()
}
