package masker

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPolicyMinimumLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		value   string
		wantErr string // "" accepts
	}{
		{"default floor refuses 7 bytes", Options{}, "1234567", "secret DB_PASS is 7 bytes long, shorter than the minimum of 8"},
		{"default floor accepts 8 bytes", Options{}, "12345678", ""},
		{"lowered floor", Options{MinLength: 5}, "12345", ""},
		{"floor never below 4", Options{MinLength: 2}, "123", "secret DB_PASS is 3 bytes long, shorter than the minimum of 4"},
		{"empty", Options{MinLength: 4}, "", "secret DB_PASS is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := New(nil, tt.opts).AddSecret("DB_PASS", tt.value)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("AddSecret: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("AddSecret error = %v, want prefix %q", err, tt.wantErr)
			}
			if tt.value != "" && strings.Contains(err.Error(), tt.value) {
				t.Fatalf("error %q reveals the value", err)
			}
		})
	}
}

func TestPolicyShortMaskedValues(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := New(&out, Options{})
	warn := m.AddMasked("CI_SHORT", "x7Q")
	if !strings.Contains(warn, "CI_SHORT") || !strings.Contains(warn, "3 bytes") || strings.Contains(warn, "x7Q") {
		t.Errorf("warning %q: want the name and length, not the value", warn)
	}
	if w := m.AddMasked("CI_LONG", "long-enough-value"); w != "" {
		t.Errorf("unexpected warning %q", w)
	}
	if w := m.AddMasked("CI_EMPTY", ""); !strings.Contains(w, "CI_EMPTY") {
		t.Errorf("empty value: warning %q", w)
	}
	fmt.Fprint(m, "a x7Q b long-enough-value c")
	m.Close()
	if got, want := out.String(), "a [MASKED] b [MASKED] c"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// After each Write, everything that cannot begin a secret is out: only a
// tail that is a proper prefix of a needle (≤ longest needle − 1), an
// unfinished escape sequence or a URL password still open is held back.
func TestHoldBackIsMinimal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		write     string
		unwritten string // the tail not written yet
	}{
		{"complete line", "build ok\n", ""},
		{"tail is a prefix of the secret", "log: super-sec", "super-sec"},
		{"self-overlapping tail holds from its first possible start", "ababab", "ababab"},
		{"tail is not a prefix", "log: super-se.", ""},
		{"partial token prefix is written", "token glp", ""},
		{"partial query parameter is written", "GET /?private_tok", ""},
		{"open token body is written masked", "token glpat-abcdef", ""},
		{"open URL: the user is written, the password held", "git clone https://user:pw", "pw"},
		{"open URL without a password", "git clone https://gitlab.example.com", ""},
		{"incomplete escape", "ok \x1b[3", "\x1b[3"},
		{"complete escape at the end is written", "ok \x1b[0m", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			m := New(&out, Options{})
			_ = m.AddSecret("S", "super-secret-value")
			_ = m.AddSecret("T", "ababababXY")
			if _, err := m.Write([]byte(tt.write)); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(tt.write, tt.unwritten)
			if strings.Contains(tt.write, "glpat-") {
				want = "token glpat-" + Mask
			}
			if out.String() != want {
				t.Errorf("written %q, want %q", out.String(), want)
			}
			if len(m.stream.held) > len(tt.write) {
				t.Errorf("holds %d bytes of a %d-byte write", len(m.stream.held), len(tt.write))
			}
			m.Close()
			if !strings.HasPrefix(out.String(), want) || strings.Contains(out.String(), "super-sec"+"ret") {
				t.Errorf("after Close: %q", out.String())
			}
		})
	}
}

func TestSecretAddedMidStream(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := New(&out, Options{})
	_ = m.AddSecret("EARLY", "early-secret-x")
	fmt.Fprint(m, "before: late-secret-1 | held: early-se")
	_ = m.AddSecret("LATE", "late-secret-1")
	_ = m.AddSecret("SEALED", "early-sealed-box")
	fmt.Fprint(m, "aled-box | after: late-secret-1\n")
	m.Close()
	want := "before: late-secret-1 | held: [MASKED] | after: [MASKED]\n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Error(diff)
	}
}

func TestCloseAndWriteAfterClose(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := New(&out, Options{})
	fmt.Fprint(m, "abc")
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := m.Write([]byte("x")); err == nil {
		t.Fatal("Write after Close succeeded")
	}
	if out.String() != "abc" {
		t.Fatalf("got %q", out.String())
	}
}

// A write larger than the masker's chunk, with secrets across the chunk
// boundaries, is masked like any other.
func TestLargeWrite(t *testing.T) {
	t.Parallel()
	secret := "chunk-boundary-secret"
	var in, want strings.Builder
	for in.Len() < 5*maxChunk {
		in.WriteString(strings.Repeat("y", 997) + secret)
		want.WriteString(strings.Repeat("y", 997) + Mask)
	}
	var out bytes.Buffer
	m := New(&out, Options{})
	_ = m.AddSecret("S", secret)
	fmt.Fprint(m, in.String())
	m.Close()
	if out.String() != want.String() {
		t.Fatalf("large write: %d bytes out, want %d; first difference near %d", out.Len(), want.Len(), firstDiff(out.String(), want.String()))
	}
}

func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Concurrent writers (a job's stdout and stderr) are one ordered stream:
// each write arrives whole, and secrets are masked in all of them.
func TestConcurrentWriters(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	m := New(&out, Options{})
	_ = m.AddSecret("S", "concurrent-secret")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				fmt.Fprintf(m, "writer %d line %d concurrent-secret end\n", w, i)
			}
		})
	}
	wg.Wait()
	m.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 800 {
		t.Fatalf("%d lines, want 800", len(lines))
	}
	for _, l := range lines {
		var w, i int
		if _, err := fmt.Sscanf(l, "writer %d line %d [MASKED] end", &w, &i); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
	}
}

// In steady state a Write allocates nothing.
func TestWriteDoesNotAllocate(t *testing.T) {
	m := New(discard{}, Options{Prefixes: []string{"ghp_"}})
	_ = m.AddSecret("S", "steady-state-secret")
	m.AddMasked("M", "abcd")
	line := []byte("12:00:01 step \x1b[32mok\x1b[0m steady-state-secret glpat-xyz https://u:p@h/?private_token=v abc\n")
	for range 10 {
		_, _ = m.Write(line) // warm up the scratch buffers
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = m.Write(line) }); n != 0 {
		t.Fatalf("%v allocations per Write", n)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Extra prefixes have no cap (GitLab Runner silently keeps 15).
func TestManyPrefixes(t *testing.T) {
	t.Parallel()
	var prefixes []string
	var in, want strings.Builder
	for i := range 60 {
		p := fmt.Sprintf("tok%02d_", i)
		prefixes = append(prefixes, p)
		fmt.Fprintf(&in, "%sS3cret%d ", p, i)
		fmt.Fprintf(&want, "%s[MASKED] ", p)
	}
	var out bytes.Buffer
	m := New(&out, Options{Prefixes: prefixes})
	fmt.Fprint(m, in.String())
	m.Close()
	if diff := cmp.Diff(want.String(), out.String()); diff != "" {
		t.Error(diff)
	}
}

// TestHugeSecret: a secret far longer than the sampling step cap (a key
// file in one variable) and its base64 form are found at every offset
// of the text, whatever the writes.
func TestHugeSecret(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	secret := make([]byte, 3000)
	for i := range secret {
		secret[i] = "abcdefghijklmnopqrstuvwxyz0123456789+/"[r.IntN(38)]
	}
	encoded := base64.StdEncoding.EncodeToString(secret)
	for _, at := range []int{0, 1, 63, 64, 65, 1000} {
		in := []byte(strings.Repeat("x", at) + string(secret) + " mid " + encoded + " end\n")
		m := New(nil, Options{})
		m.AddMasked("KEY", string(secret))
		want := referenceMask(in, m.needles, m.trig.list)
		if !bytes.Equal(want, []byte(strings.Repeat("x", at)+Mask+" mid "+Mask+" end\n")) {
			t.Fatalf("offset %d: the reference masks %q", at, want)
		}
		sizes := writeSizes([]byte{byte(r.IntN(256)), byte(r.IntN(256)), 200, 7}, len(in))
		for name, ws := range map[string][]int{"one": {len(in)}, "random": sizes} {
			if got := maskWith(t, Options{}, []string{string(secret)}, in, ws); !bytes.Equal(got, want) {
				t.Errorf("offset %d, %s writes: got %.200q", at, name, got)
			}
		}
	}
}
