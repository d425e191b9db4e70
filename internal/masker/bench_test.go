package masker

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
)

// The benchmarks follow issue 2: 64 MiB of CI-log-like text (lines of about
// 80 bytes, about one secret occurrence per 4 KiB), written in 4 KiB
// pieces, with 1, 10, 100 and 1000 secrets of 20–40 bytes and derived
// forms on, next to io.Copy of the same bytes as the reference. Run:
//
//	go test ./internal/masker -run '^$' -bench Mask -count 6 | benchstat -

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
var benchCorpus = sync.OnceValues(func() ([]byte, [][]string) {
	r := rand.New(rand.NewPCG(1, 2))
	sets := make([][]string, 0, 5)
	for _, n := range []int{1, 10, 100, 1000} {
		sets = append(sets, benchSecrets(r, n, ""))
	}
	sets = append(sets, benchSecrets(r, 100, "tse")) // common first letters
	return benchLog(r, sets[2]), sets
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

// benchLog writes lines of words, with a secret from planted about every
// 4 KiB (sometimes base64- or URL-encoded, as a job would print it).
func benchLog(r *rand.Rand, planted []string) []byte {
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
			b.WriteString("token=" + planted[r.IntN(len(planted))] + " ")
			next += benchWrite
		}
		b.WriteByte('\n')
	}
	return b.Bytes()[:benchSize]
}

func BenchmarkMask(b *testing.B) {
	corpus, sets := benchCorpus()
	b.Run("io.Copy", func(b *testing.B) {
		b.SetBytes(int64(len(corpus)))
		buf := make([]byte, benchWrite)
		for b.Loop() {
			if _, err := io.CopyBuffer(struct{ io.Writer }{io.Discard}, struct{ io.Reader }{bytes.NewReader(corpus)}, buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	names := []string{"secrets=1", "secrets=10", "secrets=100", "secrets=1000", "secrets=100-common-first-letters"}
	for i, secrets := range sets {
		b.Run(names[i], func(b *testing.B) {
			b.SetBytes(int64(len(corpus)))
			buf := make([]byte, benchWrite)
			for b.Loop() {
				m := New(struct{ io.Writer }{io.Discard}, Options{})
				for j, s := range secrets {
					if err := m.AddSecret(fmt.Sprint("S", j), s); err != nil {
						b.Fatal(err)
					}
				}
				if _, err := io.CopyBuffer(m, struct{ io.Reader }{bytes.NewReader(corpus)}, buf); err != nil {
					b.Fatal(err)
				}
				if err := m.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
