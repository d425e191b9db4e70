package lint

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLint runs the whole path, decode → rules → every format, on
// arbitrary input: it must never panic, and a literal token written in
// the input never reaches any output.
func FuzzLint(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/formats/*.toml")
	rules, _ := filepath.Glob("testdata/rules/*/*.toml")
	for _, s := range append(seeds, rules...) {
		data, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	const secret = "glrt-FuzzS3cretTokenValue"
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := LintData("fuzz.toml", data, Options{})
		if err != nil {
			return
		}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := r.Write(&buf, format, plain()); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(data, []byte(secret)) && strings.Contains(buf.String(), secret) {
				t.Fatalf("%s output shows the token", format)
			}
		}
	})
}
