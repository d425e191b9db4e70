package masker

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// The benchmarks follow issue 2: 64 MiB of CI-log-like text (lines of about
// 80 bytes, about one secret occurrence per 4 KiB), written in 4 KiB
// pieces, with 1, 10, 100 and 1000 secrets of 20–40 bytes and derived
// forms on, next to io.Copy of the same bytes as the reference. Run:
//
//	go test ./internal/masker -run '^$' -bench 'Mask$' -count 6 > bench.txt
//	benchstat bench.txt

const (
	benchSize  = 64 << 20
	benchWrite = 4 << 10
)

var benchWords = strings.Fields(`the a to of and in for is on with at from build
	test go run step job script cache artifact docker image pull push layer
	sha256 done ok PASS FAIL warning error info debug Downloading Installing
	Collecting Compiling Running Fetching Resolving npm pip cargo apt-get make
	--no-cache -v ./... /usr/local/bin /builds/group/project main.go 1.26.0
	v2.3.4 200 OK HTTP/1.1 GET POST https://example.com/api/v4/projects
	[1/12] => 0.004s 12.3MB 100% ##### ---- ==== (cached) done.`)

// benchCorpus is built once per process: the same bytes for every run.
// The secret sets are nested (the first 1, 10, 100, 1000 of one list), and
// the log's planted occurrences cycle through them, so that every set sees
// registered secrets in the text; the common-first-letters set is planted
// in every fifth slot.
var benchCorpus = sync.OnceValues(func() ([]byte, [][]string) {
	r := rand.New(rand.NewPCG(1, 2))
	all := benchSecrets(r, 1000, "")
	sets := [][]string{all[:1], all[:10], all[:100], all, benchSecrets(r, 100, "tse")}
	return benchLog(r, sets), sets
})

func benchSecrets(r *rand.Rand, n int, firstLetters string) []string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 20+r.IntN(21))
		for j := range b {
			b[j] = alnum[r.IntN(len(alnum))]
		}
		if firstLetters != "" { // e.g. "test…", "step…": start like log words
			copy(b, benchWords[r.IntN(12)])
			b[0] = firstLetters[i%len(firstLetters)]
		}
		out[i] = string(b)
	}
	return out
}

// benchLog writes lines of words, with a secret from one of the sets
// about every 4 KiB.
func benchLog(r *rand.Rand, sets [][]string) []byte {
	var b bytes.Buffer
	next := benchWrite
	for b.Len() < benchSize {
		start := b.Len()
		fmt.Fprintf(&b, "%02d:%02d:%02d ", r.IntN(24), r.IntN(60), r.IntN(60))
		for b.Len()-start < 72 {
			b.WriteString(benchWords[r.IntN(len(benchWords))])
			b.WriteByte(' ')
		}
		if b.Len() >= next {
			set := sets[next/benchWrite%len(sets)]
			b.WriteString("token=" + set[r.IntN(len(set))] + " ")
			next += benchWrite
		}
		b.WriteByte('\n')
	}
	return b.Bytes()[:benchSize]
}

// reportCPUThroughput adds MB/cpu-s: bytes masked per second of this
// process's CPU time, which the neighbours on a shared machine disturb
// much less than the wall clock (it includes the GC's time too).
func reportCPUThroughput(b *testing.B, bytes int, start time.Duration) {
	if used := processCPU() - start; used > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/used.Seconds()/1e6, "MB/cpu-s")
	}
}

func BenchmarkMask(b *testing.B) {
	corpus, sets := benchCorpus()
	b.Run("io.Copy", func(b *testing.B) {
		b.SetBytes(int64(len(corpus)))
		buf := make([]byte, benchWrite)
		cpu := processCPU()
		for b.Loop() {
			if _, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{bytes.NewReader(corpus)}, buf); err != nil {
				b.Fatal(err)
			}
		}
		reportCPUThroughput(b, len(corpus), cpu)
	})
	names := []string{"secrets=1", "secrets=10", "secrets=100", "secrets=1000", "secrets=100-common-first-letters"}
	for i, secrets := range sets {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(corpus)))
			buf := make([]byte, benchWrite)
			// One masker for the whole run, as for one long job log; the
			// first write builds its index, outside the measurement.
			m := New(struct{ io.Writer }{io.Discard}, Options{})
			for j, s := range secrets {
				if err := m.AddSecret(fmt.Sprint("S", j), s); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := m.Write(corpus[:benchWrite]); err != nil {
				b.Fatal(err)
			}
			cpu := processCPU()
			for b.Loop() {
				if _, err := io.CopyBuffer(m, struct{ io.Reader }{bytes.NewReader(corpus)}, buf); err != nil {
					b.Fatal(err)
				}
			}
			reportCPUThroughput(b, len(corpus), cpu)
			if err := m.Close(); err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkMaskAdversarial feeds inputs made of triggers only; each must
// run at the same order of speed as ordinary text (no quadratic rescans).
func BenchmarkMaskAdversarial(b *testing.B) {
	for _, unit := range []string{"glpat-", "private_token=", "://", "\x1b]", "\x1b[", "a"} {
		in := []byte(strings.Repeat(unit, (1<<20)/len(unit)))
		b.Run(fmt.Sprintf("%q", unit), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				m := New(struct{ io.Writer }{io.Discard}, Options{})
				if err := m.AddSecret("S", strings.Repeat("a", 60)+"b"); err != nil {
					b.Fatal(err)
				}
				if _, err := m.Write(in); err != nil {
					b.Fatal(err)
				}
				if err := m.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
