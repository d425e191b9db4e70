package runnerconfig

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the decoder: it must never panic,
// must fail only with an *Error that has the file name, and on success
// must place every key inside the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("[[runners]]\n[runners.docker]\nprivileged = \"yes\"\n"))
	f.Add([]byte("a = { b = [1, {c = 2}] }\n[[x.y]]\n[[x.y]]\nz.w = 'v'\n"))
	seeds, _ := filepath.Glob("testdata/seeds/*.toml")
	for _, s := range seeds {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("fuzz.toml", data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Path != "fuzz.toml" {
				t.Fatalf("error %v (%T) is not a *Error naming the file", err, err)
			}
			return
		}
		for _, k := range file.Keys {
			if k.Pos.Line < 1 || k.Pos.Line > len(file.Lines) || k.Pos.Col < 1 {
				t.Fatalf("key %s placed at %v outside the file (%d lines)", k.Path, k.Pos, len(file.Lines))
			}
		}
		file.IsRunnerConfig()
	})
}
