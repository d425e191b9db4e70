package lint

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// BenchmarkLintCorpus lints the 16 real configs of the corpus, from bytes
// in memory to findings (decode, positions, all rules). Target: the whole
// corpus in under 50 ms.
func BenchmarkLintCorpus(b *testing.B) {
	dir := corpusDir(b, "runner-config")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
	data := make([][]byte, len(paths))
	for i, p := range paths {
		var err error
		if data[i], err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for i, d := range data {
			f, err := runnerconfig.Parse(paths[i], d)
			if err != nil {
				b.Fatal(err)
			}
			Check(f, Options{})
		}
	}
}

// BenchmarkLintCorpusFiles is what `jobrun lint-config corpus/*.toml`
// does after start-up: read the files, lint, and render text.
func BenchmarkLintCorpusFiles(b *testing.B) {
	dir := corpusDir(b, "runner-config")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
	b.ReportAllocs()
	for b.Loop() {
		r, err := Lint(paths, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := r.Write(io.Discard, FormatText, plain()); err != nil {
			b.Fatal(err)
		}
	}
}
