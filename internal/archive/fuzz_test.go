package archive

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzExtract: whatever the archive, nothing lands outside the target
// directory and no link inside it points outside.
func FuzzExtract(f *testing.F) {
	f.Add(makeZip(f, zipEntry{name: "a/b", body: "x"}))
	f.Add(makeZip(f, zipEntry{name: "../x", body: "x"}))
	f.Add(makeZip(f, zipEntry{name: "l", body: "..", mode: fs.ModeSymlink}, zipEntry{name: "l/x", body: "y"}))
	f.Add(makeZip(f, zipEntry{name: "d/", mode: fs.ModeDir}, zipEntry{name: "d/l", body: "../d", mode: fs.ModeSymlink}))
	f.Add([]byte("PK\x03\x04 not really"))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "project")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_ = Extract(bytes.NewReader(data), int64(len(data)), dir, 1<<20)
		if names := listDir(t, parent); len(names) != 1 {
			t.Fatalf("wrote outside the project: %v", names)
		}
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.Type()&fs.ModeSymlink == 0 {
				return nil
			}
			resolved, err := filepath.EvalSymlinks(p)
			if err == nil && !strings.HasPrefix(resolved+"/", dir+"/") {
				t.Fatalf("link %s resolves outside: %s", p, resolved)
			}
			return nil
		})
	})
}

// FuzzMatch: Match never panics, and "**" matches every name.
func FuzzMatch(f *testing.F) {
	f.Add("**/*.o", "a/b/c.o")
	f.Add("[a-", "x")
	f.Add("a/**/b/**", "a/b")
	f.Fuzz(func(t *testing.T, pattern, name string) {
		_, _ = Match(pattern, name)
		if ok, err := Match("**", name); err != nil || !ok {
			t.Fatalf("** did not match %q", name)
		}
	})
}
