package archive

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"strconv"
	"strings"
)

// maxLinkTarget bounds a symbolic link entry's target.
const maxLinkTarget = 4096

// Extract unpacks a zip into dir. It refuses, with an error naming the
// entry, names that are absolute or climb out of dir, symbolic links whose
// target leaves dir, and more than limit bytes in total (0: no limit).
// Writes go through an os.Root, so even a link planted by an earlier entry
// cannot redirect a later file outside dir. Set-id bits are dropped.
func Extract(r io.ReaderAt, size int64, dir string, limit int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("artifacts archive: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	var total int64
	for _, f := range zr.File {
		name, err := entryName(f.Name)
		if err != nil {
			return err
		}
		n, err := extractEntry(root, f, name, limit-total, limit > 0)
		if err != nil {
			return fmt.Errorf("artifacts archive entry %q: %w", f.Name, err)
		}
		total += n
	}
	return nil
}

// entryName validates a zip entry name and returns it cleaned.
func entryName(raw string) (string, error) {
	name := strings.TrimSuffix(raw, "/")
	clean := path.Clean(name)
	if name == "" || strings.ContainsAny(name, "\\\x00") || !fs.ValidPath(clean) || clean == "." {
		return "", fmt.Errorf("artifacts archive entry %q: not a relative path inside the project", raw)
	}
	return clean, nil
}

func extractEntry(root *os.Root, f *zip.File, name string, room int64, limited bool) (int64, error) {
	mode := f.Mode()
	switch {
	case mode.IsDir():
		return 0, root.MkdirAll(name, 0o755)
	case mode&fs.ModeSymlink != 0:
		return 0, extractLink(root, f, name)
	case !mode.IsRegular():
		return 0, nil
	}
	if err := mkParent(root, name); err != nil {
		return 0, err
	}
	rc, err := f.Open()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	// The file is written under a fresh name and renamed over the old
	// one: a job running next to this restore (jobs of one local pipeline
	// share a directory) sees the old file or the new one, never a missing
	// or half-written one; and a file or link of the same name is
	// replaced, never written through.
	tmp, out, err := createTemp(root, name, mode.Perm()|0o600)
	if err != nil {
		return 0, err
	}
	src := io.Reader(rc)
	if limited {
		src = io.LimitReader(rc, room+1)
	}
	n, err := io.Copy(out, src)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && limited && n > room {
		err = errors.New("artifacts larger than the extraction limit")
	}
	if err == nil {
		if err = root.Rename(tmp, name); err != nil {
			// A directory of that name cannot be renamed over.
			_ = root.Remove(name)
			err = root.Rename(tmp, name)
		}
	}
	if err != nil {
		_ = root.Remove(tmp)
	}
	return n, err
}

// createTemp creates an unused file next to name.
func createTemp(root *os.Root, name string, perm fs.FileMode) (string, *os.File, error) {
	for {
		tmp := path.Join(path.Dir(name), "."+path.Base(name)+".jobrun-"+strconv.FormatUint(rand.Uint64(), 36))
		out, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return tmp, out, err
	}
}

func extractLink(root *os.Root, f *zip.File, name string) error {
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return err
	}
	target := string(data)
	if len(data) > maxLinkTarget || target == "" || strings.HasPrefix(target, "/") || strings.ContainsRune(target, 0) ||
		!fs.ValidPath(path.Clean(path.Join(path.Dir(name), target))) {
		return fmt.Errorf("symbolic link to %q leaves the project directory", target)
	}
	if err := mkParent(root, name); err != nil {
		return err
	}
	_ = root.Remove(name)
	return root.Symlink(target, name)
}

func mkParent(root *os.Root, name string) error {
	if dir := path.Dir(name); dir != "." {
		return root.MkdirAll(dir, 0o755)
	}
	return nil
}
