package jobapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
)

// writeAtomic writes what r yields to name below root: into a temporary
// file in the same directory, synced, then renamed over name. A failed or
// interrupted write leaves the previous file intact and no partial file
// under the final name. It returns the number of bytes written.
func writeAtomic(root *os.Root, name string, r io.Reader, perm os.FileMode) (int64, error) {
	dir := path.Dir(name)
	if err := root.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	tmp := path.Join(dir, fmt.Sprintf(".%s.tmp-%s", path.Base(name), hex.EncodeToString(suffix)))
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(f, r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = root.Rename(tmp, name)
	}
	if err != nil {
		_ = root.Remove(tmp)
		return n, err
	}
	return n, nil
}
