package masker

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// maskCase is one input and its expected output; '|' in in marks write
// boundaries. Every case is also run as one write, byte by byte, and split
// in two at every position: all must give want.
type maskCase struct {
	name    string
	secrets []string // AddSecret
	masked  []string // AddMasked
	opts    Options
	in      string
	want    string
}

func runMaskCases(t *testing.T, cases []maskCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			whole := strings.ReplaceAll(c.in, "|", "")
			splits := map[string][]string{
				"marked":   strings.Split(c.in, "|"),
				"one":      {whole},
				"bytewise": strings.Split(whole, ""),
			}
			for i := 1; i < len(whole); i++ {
				splits["at "+string(rune('0'+i%10))] = []string{whole[:i], whole[i:]}
				if got := c.mask(t, []string{whole[:i], whole[i:]}); got != c.want {
					t.Fatalf("split at %d: %q + %q\n%s", i, whole[:i], whole[i:], cmp.Diff(c.want, got))
				}
			}
			for name, writes := range splits {
				if got := c.mask(t, writes); got != c.want {
					t.Errorf("%s writes %q:\n%s", name, writes, cmp.Diff(c.want, got))
				}
			}
		})
	}
}

func (c maskCase) mask(t *testing.T, writes []string) string {
	var out bytes.Buffer
	m := New(&out, c.opts)
	for _, s := range c.secrets {
		if err := m.AddSecret("SECRET", s); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range c.masked {
		m.AddMasked("MASKED", s)
	}
	for _, w := range writes {
		if n, err := m.Write([]byte(w)); err != nil || n != len(w) {
			t.Fatalf("Write = %d, %v", n, err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// The public leak cases of reference/masking.md.
func TestMaskLeakCases(t *testing.T) {
	t.Parallel()
	runMaskCases(t, []maskCase{
		{name: "A self-overlapping secret split inside its repeated prefix",
			secrets: []string{"ababcabab-XY"}, in: "x abab|abcabab-XY y", want: "x ab[MASKED] y"},
		{name: "A prefix repeated before the secret",
			secrets: []string{"aaaaaaab"}, in: "aaaa|aaaaaaa|b!", want: "aaaa[MASKED]!"},
		{name: "B no reordering around a short held secret",
			masked: []string{"abc", "LONGSECRET123"}, in: "xab|LONGSECRET123|d", want: "xab[MASKED]d"},
		{name: "C truncated secret at end of stream is masked",
			secrets: []string{"s3cr3tTOKEN-value"}, in: "prompt> s3cr3tTOK", want: "prompt> [MASKED]"},
		{name: "C fewer than 8 bytes of a secret at the end are released",
			secrets: []string{"s3cr3tTOKEN-value"}, in: "prompt> s3cr3tT", want: "prompt> s3cr3tT"},
		{name: "D secret straddling writes",
			secrets: []string{"hunter2-hunter2"}, in: "pw=hunt|er2-hun|ter2\n", want: "pw=[MASKED]\n"},
		{name: "F colour codes inside a secret",
			secrets: []string{"colourful-secret"}, in: "<\x1b[31mcolour\x1b[0mful-se|\x1b[1;32mcret>", want: "<\x1b[31m[MASKED]>"},
		{name: "F OSC title and colour glued around a secret",
			secrets: []string{"colourful-secret"}, in: "\x1b]0;title\x07colourful-secret\x1b[0m", want: "\x1b]0;title\x07[MASKED]\x1b[0m"},
		{name: "F tput sgr0 (ESC ( B) inside a secret",
			secrets: []string{"colourful-secret"}, in: "colourful\x1b(B\x1b[m-sec|ret", want: "[MASKED]"},
		{name: "F secret inside a terminal title (OSC) is masked in the raw bytes",
			secrets: []string{"title-secret"}, in: "\x1b]0;title-se|cret\x07", want: "\x1b]0;[MASKED]\x07"},
		{name: "F escape split across writes",
			secrets: []string{"colourful-secret"}, in: "colour\x1b[3|8;5;1|96mful-secret.", want: "[MASKED]."},
		{name: "G short line of a multi-line secret is not masked alone",
			masked: []string{"{\n  \"private_key\": \"abcdefgh12345\"\n}"}, in: "{\n}\n", want: "{\n}\n"},
	})
}

func TestMaskOverlapAndOrder(t *testing.T) {
	t.Parallel()
	runMaskCases(t, []maskCase{
		{name: "overlapping secrets become one mask",
			secrets: []string{"aaaabbbbcccc", "bbbbccccdddd"}, in: "<aaaabbbb|ccccdddd>", want: "<[MASKED]>"},
		{name: "nested secret", secrets: []string{"outer-INNER-secret", "INNER-se"}, in: "1 outer-INNER-secret 2 INNER-se 3",
			want: "1 [MASKED] 2 [MASKED] 3"},
		{name: "adjacent secrets become one mask", secrets: []string{"first-secret", "second-secret"},
			in: "first-secretsecond-secret.", want: "[MASKED]."},
		{name: "repeated occurrences", secrets: []string{"password1"}, in: "password1 password1password1 x",
			want: "[MASKED] [MASKED] x"},
		{name: "no secret in input", secrets: []string{"password1"}, in: "nothing | to | see\n", want: "nothing  to  see\n"},
		{name: "a 2-byte GitLab-masked value is still masked", masked: []string{"ab"}, in: "xa|bya|b", want: "x[MASKED]y[MASKED]"},
		{name: "a 1-byte GitLab-masked value", masked: []string{"q"}, in: "aqq|b", want: "a[MASKED]b"},
		{name: "almost a secret", secrets: []string{"password1"}, in: "password password2 passwor", want: "password password2 passwor"},
		{name: "needle longer than a chunk of writes", secrets: []string{strings.Repeat("0123456789", 8)},
			in: "a" + strings.Repeat("0123456789|", 8) + "b", want: "a[MASKED]b"},
	})
}

func TestMaskDerivedForms(t *testing.T) {
	t.Parallel()
	s := "p@ss w0rd/+é\"<&>"
	b64 := base64.StdEncoding.EncodeToString
	jsonQ, _ := json.Marshal(s)
	cases := []maskCase{
		{name: "plain", in: s, want: Mask},
		{name: "base64 padded", in: "[" + b64([]byte(s)) + "]", want: "[" + Mask + "]"},
		{name: "echo | base64 (trailing newline)", in: b64([]byte(s+"\n")) + "\n", want: Mask + "\n"},
		{name: "base64 url-safe unpadded", in: base64.RawURLEncoding.EncodeToString([]byte(s)) + ".", want: Mask + "."},
		{name: "percent-encoded upper", in: "q=" + url.QueryEscape(s) + "&", want: "q=" + Mask + "&"},
		{name: "percent-encoded lower", in: "/" + strings.ToLower(url.PathEscape(s)) + "/", want: "/" + Mask + "/"},
		{name: "JSON string", in: `{"k":` + string(jsonQ) + `}`, want: `{"k":"` + Mask + `"}`},
	}
	// Inside a longer base64 blob, at each alignment: the full groups of
	// the secret are masked, the neighbours' bytes around them are not.
	for pad := range 3 {
		blob := b64([]byte(strings.Repeat("x", pad) + s + "tail-bytes"))
		got := maskCase{secrets: []string{s}}.mask(t, []string{blob})
		if !strings.Contains(got, Mask) || !strings.HasSuffix(got, blob[len(blob)-8:]) {
			t.Errorf("blob at alignment %d: %q masked as %q", pad, blob, got)
		}
		ref := New(nil, Options{})
		_ = ref.AddSecret("S", s)
		for _, n := range ref.needles {
			if leaked([]byte(got), n, true) {
				t.Errorf("blob at alignment %d: %q survives in %q", pad, n, got)
			}
		}
		// The secret's middle bytes at this alignment, encoded, are gone.
		if mid := b64([]byte(strings.Repeat("x", pad) + s))[4:12]; pad > 0 && strings.Contains(got, mid) {
			t.Errorf("blob at alignment %d: %q survives in %q", pad, mid, got)
		}
	}
	for i := range cases {
		cases[i].secrets = []string{s}
	}
	runMaskCases(t, cases)

	key := "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n-----END KEY-----"
	crlf := strings.ReplaceAll(key, "\n", "\r\n")
	runMaskCases(t, []maskCase{
		{name: "multi-line whole", secrets: []string{key}, in: "k:\n" + key + "\n", want: "k:\n" + Mask + "\n"},
		{name: "multi-line CRLF", secrets: []string{key}, in: crlf + "\r\n", want: Mask + "\r\n"},
		{name: "multi-line on one line (unquoted echo)", secrets: []string{key}, in: "+ echo " + strings.ReplaceAll(key, "\n", " ") + "\n", want: "+ echo " + Mask + "\n"},
		{name: "multi-line line by line", secrets: []string{key}, in: "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nnext\n", want: Mask + "\nnext\n"},
		{name: "multi-line JSON", secrets: []string{key}, in: `"` + strings.ReplaceAll(key, "\n", `\n`) + `"`, want: `"` + Mask + `"`},
		{name: "derived forms off", secrets: []string{s}, opts: Options{DisableDerived: true},
			in: b64([]byte(s)) + " " + s, want: b64([]byte(s)) + " " + Mask},
	})
}

func TestMaskPatterns(t *testing.T) {
	t.Parallel()
	var cases []maskCase
	for _, p := range gitLabPrefixes {
		cases = append(cases, maskCase{name: p, in: "t " + p + "Ab_c-9.x|yz tail", want: "t " + p + Mask + " tail"})
	}
	for _, q := range queryParams {
		upper := strings.ToUpper(q)
		cases = append(cases, maskCase{name: upper, in: "GET /x?a=1&" + upper + "v%2Fa|l+ue&b=2 ok", want: "GET /x?a=1&" + upper + Mask + "&b=2 ok"})
	}
	cases = append(cases, []maskCase{
		{name: "trigger inside a token", in: "glpat-glpat-a|bc def", want: "glpat-" + Mask + " def"},
		{name: "token inside a query value", in: "?private_token=glpat-a|bc&x=1", want: "?private_token=" + Mask + "&x=1"},
		{name: "query trigger inside a query value", in: "?job_token=a=job_token=b c", want: "?job_token=" + Mask + " c"},
		{name: "token value that begins a needle's encoded form", secrets: []string{`a"quote-secret`},
			in: `glpat-a\"quote-secret!`, want: "glpat-" + Mask + "!"},
		{name: "URL password while a needle that starts before it is open",
			secrets: []string{"u:pw@host/x-secret"}, in: "https://u:pw@host/x-|y", want: "https://u:" + Mask + "@host/x-y"},
		{name: "token body across many writes", in: "glpat-|abc|def|ghi| next", want: "glpat-" + Mask + " next"},
		{name: "prefix without body", in: "glpat- and glpat-", want: "glpat- and glpat-"},
		{name: "extra prefix", opts: Options{Prefixes: []string{"ghp_", "xoxb-"}}, in: "ghp_abc123 xoxb-1-2 glpat-x", want: "ghp_" + Mask + " xoxb-" + Mask + " glpat-" + Mask},
		{name: "unknown prefix untouched", in: "ghp_abc123", want: "ghp_abc123"},
		{name: "URL password", in: "clone https://gitlab-ci-token:glcbt-64_xyz@gitlab.example.com/g/p.git\n", want: "clone https://gitlab-ci-token:" + Mask + "@gitlab.example.com/g/p.git\n"},
		{name: "URL password with @ and :", in: "redis://u:p@ss:w@host:6379/0", want: "redis://u:" + Mask + "@host:6379/0"},
		{name: "URL without credentials", in: "see https://host:8443/path?x=1 and git@host:g/p", want: "see https://host:8443/path?x=1 and git@host:g/p"},
		{name: "URL user only", in: "https://user@host/", want: "https://user@host/"},
		{name: "secret cut by the end of the stream, then an unfinished escape", secrets: []string{"Sup3r-S3cret-Valu3"},
			in: "prompt> Sup3r-S3c\x1b", want: "prompt> " + Mask},
		{name: "… an unfinished CSI", secrets: []string{"Sup3r-S3cret-Valu3"}, in: "prompt> Sup3r-S3c\x1b[3", want: "prompt> " + Mask},
		{name: "… an unfinished title", secrets: []string{"Sup3r-S3cret-Valu3"}, in: "prompt> Sup3r-S3c\x1b]0;t", want: "prompt> " + Mask},
		{name: "short tail before an unfinished escape is released", secrets: []string{"Sup3r-S3cret-Valu3"}, in: "prompt> Sup3r\x1b[3", want: "prompt> Sup3r\x1b[3"},
		{name: "ESC right before a secret is masked with it", secrets: []string{"Sup3r-S3cret-Valu3"},
			in: "x \x1b|Sup3r-S3cret-Valu3 y", want: "x " + Mask + " y"},
		{name: "URL user name with @", in: "git clone https://john@corp.com:Hunter2Pass@gitlab.corp.com/repo.git\n",
			want: "git clone https://john@corp.com:" + Mask + "@gitlab.corp.com/repo.git\n"},
		{name: "URL user, then host and port", in: "https://user@host:8080/x", want: "https://user@host:8080/x"},
		{name: "URL password longer than the authority limit", in: "git clone https://oauth2:eyJhbGciOiJSUzI1NiJ9." + strings.Repeat("A", 300) + ".sig@gitlab.example.com/g/p.git\nnext",
			want: "git clone https://oauth2:" + Mask + "\nnext"},
		{name: "no needle from the text before \\c (echo -e stops there)", secrets: []string{`pass\cword-Sup3r-long`},
			in: "ok 12 tests passed\nbypass\n", want: "ok 12 tests passed\nbypass\n"},
		{name: "a Windows account before \\c is not masked alone", secrets: []string{`CORP\svc_build\ci-Passw0rd!`},
			in: `user CORP\svc_build logged in; pw CORP\svc_build\ci-Passw0rd!`, want: `user CORP\svc_build logged in; pw ` + Mask},
		{name: "token inside a long URL password, split in three", secrets: []string{strings.Repeat("Ab3x", 75)},
			in:   splitAt("git clone https://deploy:glpat-"+strings.Repeat("Ab3x", 75)+"!Second-Secret-Part@gitlab.example.com/g/p.git\n", 60, 300),
			want: "git clone https://deploy:" + Mask + "\n"},
		{name: "seed list longer than the authority limit", in: "mongodb://" + strings.Repeat("db-node.example.com:27017,", 12) + "x:1/app ok",
			want: "mongodb://" + strings.Repeat("db-node.example.com:27017,", 12) + "x:1/app ok"},
		{name: "host name longer than the authority limit", in: "https://" + strings.Repeat("h", 300) + "/x ok", want: "https://" + strings.Repeat("h", 300) + "/x ok"},
		{name: "URL at the end of the stream", in: "https://u:pw|", want: "https://u:pw"},
		{name: "colour inside a token", in: "glpat-ab\x1b[0mcd ok", want: "glpat-" + Mask + " ok"},
		{name: "colour after a token", in: "glpat-abcd\x1b[0m ok", want: "glpat-" + Mask + " ok"},
		{name: "colour between prefix and token", in: "glpat-\x1b[1mabcd ok", want: "glpat-\x1b[1m" + Mask + " ok"},
		// A write that ends inside the escape, before a token value that
		// begins like a secret, once made the next write index before
		// the buffer (a panic).
		{name: "colour between prefix and a token that begins a secret", secrets: []string{"Sup3r-S3cret-Valu3"},
			in: "step 3: token glpat-\x1b[|1mSup3r|\n", want: "step 3: token glpat-\x1b[1m" + Mask + "\n"},
		{name: "title between parameter and a value that begins a secret", secrets: []string{"Sup3r-S3cret-Valu3"},
			in: "GET /api?private_token=\x1b]|0;t\aSup3r|\n", want: "GET /api?private_token=\x1b]0;t\a" + Mask + "\n"},
		{name: "trigger reaching past a token's end", in: "_gitlab_session=_gitlab_session=4f2a9c1e8d7b\n", want: "_gitlab_session=" + Mask + "=" + Mask + "\n"},
		{name: "session cookie after a token", in: "gltok-abc_gitlab_session=4f2a9c1e8d7b ok", want: "gltok-" + Mask + "=" + Mask + " ok"},
		{name: "extra prefix inside a query value", opts: Options{Prefixes: []string{"Bearer "}},
			in: "GET /?private_token=Bearer abcdef123456 ok", want: "GET /?private_token=" + Mask + " " + Mask + " ok"},
	}...)
	runMaskCases(t, cases)
}

// TestMaskWrappedBlob is `echo "some text $S more text" | base64` (GNU,
// 76 columns) and openssl's 64: the secret's encoding crosses a line
// break, which the masker does not see, so the [MASKED] takes the break
// with it and the encoded neighbours around it stay.
func TestMaskWrappedBlob(t *testing.T) {
	t.Parallel()
	s := "Sup3r-S3cret-Valu3-x" // 20 bytes
	ref := New(nil, Options{})
	if err := ref.AddSecret("S", s); err != nil {
		t.Fatal(err)
	}
	var cases []maskCase
	for _, c := range []struct {
		width int
		eol   string
	}{{76, "\n"}, {64, "\n"}, {76, "\r\n"}, {64, "\r\n"}} {
		perLine := c.width / 4 * 3
		// From wholly on the first line to just past it, every alignment.
		for at := perLine - len(s) - 1; at <= perLine+1; at += 2 {
			text := strings.Repeat("some text ", 6)[:at] + s + " more text\n"
			in := "$ base64 <text\n" + wrapLines(base64.StdEncoding.EncodeToString([]byte(text)), c.width, c.eol) + "$ echo done\n"
			want := string(referenceMask([]byte(in), ref.needles, ref.trig.list))
			assertMaskedBlob(t, in, want, s, ref.needles)
			cases = append(cases, maskCase{name: fmt.Sprintf("width %d eol %q secret at %d", c.width, c.eol, at),
				secrets: []string{s}, in: in, want: want})
		}
	}
	line76 := strings.Repeat("QUJD", 19) // 76 base64 characters, not the secret
	cases = append(cases,
		maskCase{name: "a 76-character line, then text", secrets: []string{s},
			in: line76 + "\n plain text\n" + line76 + "\n", want: line76 + "\n plain text\n" + line76 + "\n"},
		maskCase{name: "a 76-character line that begins mid-line", secrets: []string{s},
			in: "x" + line76 + "\n" + line76 + "\n", want: "x" + line76 + "\n" + line76 + "\n"},
		maskCase{name: "ordinary log lines", secrets: []string{s},
			in: "12:00:01 Downloading https://example.com/a.tar.gz\n12:00:02 done.\n", want: "12:00:01 Downloading https://example.com/a.tar.gz\n12:00:02 done.\n"},
	)
	runMaskCases(t, cases)
}

func wrapLines(enc string, width int, eol string) string {
	var out strings.Builder
	for ; len(enc) > width; enc = enc[width:] {
		out.WriteString(enc[:width] + eol)
	}
	out.WriteString(enc + eol)
	return out.String()
}

// assertMaskedBlob checks the expected output of a wrapped blob: no form
// of the secret survives, even with the line breaks taken out, and the
// text outside the one [MASKED] is the input's.
func assertMaskedBlob(t *testing.T, in, want, secret string, needles [][]byte) {
	t.Helper()
	before, after, ok := strings.Cut(want, Mask)
	if !ok || strings.Contains(after, Mask) || !strings.HasPrefix(in, before) || !strings.HasSuffix(in, after) {
		t.Fatalf("want one [MASKED] with the input around it:\n in  %q\nwant %q", in, want)
	}
	joined := strings.NewReplacer("\r\n", "", "\n", "").Replace(want)
	for _, n := range needles {
		if len(n) >= 8 && strings.Contains(joined, string(n)) {
			t.Fatalf("%q survives in %q", n, want)
		}
	}
	if strings.Contains(joined, secret) {
		t.Fatalf("the secret survives in %q", want)
	}
}

// splitAt marks write boundaries ('|', see maskCase) at the given offsets.
func splitAt(s string, at ...int) string {
	var b strings.Builder
	from := 0
	for _, a := range at {
		b.WriteString(s[from:a] + "|")
		from = a
	}
	return b.String() + s[from:]
}
