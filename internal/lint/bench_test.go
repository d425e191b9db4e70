package lint

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/BurntSushi/toml"

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

// BenchmarkDecodeCorpusPeer is the peer: BurntSushi/toml decoding the
// corpus into the model and nothing else, i.e. what GitLab Runner itself
// pays to load a config.toml. LintCorpus / DecodeCorpusPeer is the cost of
// positions, the key table and the rules.
func BenchmarkDecodeCorpusPeer(b *testing.B) {
	dir := corpusDir(b, "runner-config")
	paths, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
	data := make([]string, len(paths))
	for i, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		data[i] = string(raw)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range data {
			var c runnerconfig.Config
			if _, err := toml.Decode(d, &c); err != nil {
				b.Fatal(err)
			}
		}
	}
}
