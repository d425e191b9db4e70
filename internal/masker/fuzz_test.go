package masker

import (
	"bytes"
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// FuzzMask plants two random secrets (self-overlapping ones included) and
// their derived forms in random text, writes it in random pieces, and
// checks that: the output equals the reference masker's; every split
// gives the same bytes; no secret or derived form survives.
func FuzzMask(f *testing.F) {
	f.Add("ababcabab", "s3cr3t-TOKEN", []byte("xx abab|abcabab yy glpat-abc https://u:pw@h/?private_token=q"), []byte{3, 1, 4, 1, 5, 9, 2, 6})
	f.Add("aaaabbbbcccc", "bbbbccccdddd", []byte("0aaaabbbbccccdddd1\x1b[31mab\x1b[0m"), []byte{0, 7, 200, 13})
	f.Add("line-one-xx\nline-two-yy", "key=value&x", []byte("-----BEGIN\n\x1b]0;t\x07ok X-AMZ-SIGNATURE=a"), []byte{255, 128, 64})
	f.Add("p@ss:w0rd/+", "short", []byte("ssh://git:p@ss:w0rd@host glrt-"), []byte{1})
	f.Add("tput-secret", "dcs-secret", []byte("x\x1b(B\x1b[m y \x1bPq#0\x1b\\ z \x1b7 \x1b[?25l \x1b]8;;http://a\x1b\\"), []byte{0, 9, 1, 30, 2, 60})
	f.Add("Sup3r-S3cret-Valu3-2024", "openssl-secret", append(wrappedBlob("Sup3r-S3cret-Valu3-2024", 76, "\n"), "plain\n"...), []byte{0, 1, 2})
	f.Add("Sup3r-S3cret-Valu3-2024", "openssl-secret", wrappedBlob("openssl-secret", 64, "\r\n"), []byte{5})
	f.Fuzz(func(t *testing.T, s1, s2 string, text, cuts []byte) {
		if len(s1) < 4 || len(s2) < 4 || len(s1) > 80 || len(s2) > 80 || len(text) > 2048 {
			t.Skip()
		}
		m := New(nil, Options{Prefixes: []string{"ghp_"}})
		m.AddMasked("S1", s1)
		m.AddMasked("S2", s2)
		in := plant(text, cuts, plantable(m.needles, s1, s2))
		want := referenceMask(in, m.needles, m.trig.list)

		ghp := Options{Prefixes: []string{"ghp_"}}
		whole := maskWith(t, ghp, []string{s1, s2}, in, []int{len(in)})
		if !bytes.Equal(whole, want) {
			t.Fatalf("one write:\n in  %q\n got %q\nwant %q", in, whole, want)
		}
		for name, sizes := range map[string][]int{"random": writeSizes(cuts, len(in)), "bytewise": ones(len(in))} {
			if got := maskWith(t, ghp, []string{s1, s2}, in, sizes); !bytes.Equal(got, whole) {
				t.Fatalf("%s writes %v:\n in  %q\n got %q\nwant %q", name, sizes, in, got, whole)
			}
		}
		// The default trigger set (no extra prefix) is scanned by a loop
		// of its own (find.go): it must agree with the reference too.
		d := New(nil, Options{})
		d.AddMasked("S1", s1)
		d.AddMasked("S2", s2)
		wantDefault := referenceMask(in, d.needles, d.trig.list)
		for name, sizes := range map[string][]int{"one": {len(in)}, "random": writeSizes(cuts, len(in))} {
			if got := maskWith(t, Options{}, []string{s1, s2}, in, sizes); !bytes.Equal(got, wantDefault) {
				t.Fatalf("default set, %s writes %v:\n in  %q\n got %q\nwant %q", name, sizes, in, got, wantDefault)
			}
		}
		// When a [MASKED] replaces an ESC of the input (a span that takes
		// escapes with it), or a secret holds terminal control bytes, the
		// output's escape sequences are not the input's: "\x1b]…\x1b[w"
		// (an OSC cut short by a CSI) can become one OSC, and the
		// output's escape-free view joins text the input's never joined.
		// Such outputs are checked raw only (they equal the reference).
		viewToo := !bytes.ContainsAny([]byte(s1+s2), "\x1b\x07") && bytes.Count(whole, []byte{esc}) == bytes.Count(in, []byte{esc})
		for _, n := range m.needles {
			if leaked(whole, n, viewToo) {
				t.Fatalf("needle %q survives in %q", n, whole)
			}
		}
	})
}

// maskWith masks in, written in pieces of the given sizes, with the
// secrets registered as GitLab-masked values.
func maskWith(t *testing.T, opts Options, secrets []string, in []byte, sizes []int) []byte {
	t.Helper()
	var out bytes.Buffer
	m := New(&out, opts)
	for i, s := range secrets {
		m.AddMasked("S"+string(rune('1'+i)), s)
	}
	for _, n := range sizes {
		if _, err := m.Write(in[:n]); err != nil {
			t.Fatal(err)
		}
		in = in[n:]
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// fuzzSpice is what plantable adds to the needles: triggers, escape
// sequences and URL parts, whose meetings with needles (a token value
// that begins like a secret, an escape cut by a write) random text
// rarely makes.
var fuzzSpice = [][]byte{
	[]byte("glpat-"), []byte("_gitlab_session="), []byte("ghp_"), []byte("private_token="), []byte("X-Amz-Credential="),
	[]byte("https://u:"), []byte("@h/"), []byte("\x1b[1m"), []byte("\x1b["), []byte("\x1b]0;t\a"), []byte("\x1b"), []byte("\n"),
}

// plantable returns the needles, the first half of each, fuzzSpice, and
// for each secret a base64 blob that holds it, wrapped as GNU base64 and
// openssl wrap it.
func plantable(needles [][]byte, secrets ...string) [][]byte {
	out := slices.Clone(needles)
	for _, n := range needles {
		out = append(out, n[:len(n)/2])
	}
	for _, s := range secrets {
		out = append(out, wrappedBlob(s, 76, "\n"), wrappedBlob(s, 64, "\r\n"))
	}
	return append(out, fuzzSpice...)
}

// wrappedBlob is text with secret inside, base64-encoded and wrapped at
// width with lines ended by eol, on lines of its own: the secret starts where its encoding
// crosses the first line break (at one of the three alignments, chosen
// by its length).
func wrappedBlob(secret string, width int, eol string) []byte {
	perLine := width / 4 * 3
	at := max(0, perLine-len(secret)/2-len(secret)%3)
	text := strings.Repeat("some text ", 6)[:at] + secret + " and more text after it, enough to fill another line"
	enc := base64.StdEncoding.EncodeToString([]byte(text))
	out := []byte(eol) // the blob's first line starts a line
	for ; len(enc) > width; enc = enc[width:] {
		out = append(append(out, enc[:width]...), eol...)
	}
	return append(append(out, enc...), eol...)
}

// plant inserts needles into text at places chosen by cuts.
func plant(text, cuts []byte, needles [][]byte) []byte {
	out := bytes.Clone(text)
	for i := 0; i+1 < len(cuts) && i < 8; i += 2 {
		n := needles[int(cuts[i])%len(needles)]
		at := 0
		if len(out) > 0 {
			at = int(cuts[i+1]) * len(out) / 256
		}
		out = append(out[:at], append(bytes.Clone(n), out[at:]...)...)
	}
	return out
}

func writeSizes(cuts []byte, total int) []int {
	var sizes []int
	for i := 0; total > 0; i++ {
		n := 1
		if len(cuts) > 0 {
			n = int(cuts[i%len(cuts)])%23 + 1
		}
		n = min(n, total)
		sizes = append(sizes, n)
		total -= n
	}
	return sizes
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// leaked reports whether needle occurs in out (or, with viewToo, in out
// without its escape sequences) made of bytes that are not part of a
// [MASKED] (an escape sequence may swallow some of its bytes).
func leaked(out, needle []byte, viewToo bool) bool {
	inMask := make([]bool, len(out))
	for i := 0; ; {
		j := bytes.Index(out[i:], []byte(Mask))
		if j < 0 {
			break
		}
		for k := i + j; k < i+j+len(Mask); k++ {
			inMask[k] = true
		}
		i += j + 1
	}
	if leakedIn(out, nil, needle, inMask) {
		return true
	}
	if !viewToo {
		return false
	}
	view, pos := referenceStrip(out)
	return leakedIn(view, pos, needle, inMask)
}

// leakedIn looks for needle in text, whose byte i is out[pos[i]] (pos nil:
// text is out), at places none of whose bytes is in a [MASKED].
func leakedIn(text []byte, pos []int, needle []byte, inMask []bool) bool {
	for i := 0; ; i++ {
		j := bytes.Index(text[i:], needle)
		if j < 0 {
			return false
		}
		i += j
		clean := true
		for k := i; k < i+len(needle) && clean; k++ {
			o := k
			if pos != nil {
				o = pos[k]
			}
			clean = !inMask[o]
		}
		if clean {
			return true
		}
	}
}
