package masker

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runLongMaskCases runs maskCases written in one piece and in pieces of
// 7, 64 and 4096 bytes, and byte by byte when short: runMaskCases's split
// at every position would take minutes for a 2 KB text against a 2 KB
// needle. Each must give want; a '|' in in is text here, not a boundary.
func runLongMaskCases(t *testing.T, cases []maskCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			sizes := []int{len(c.in), 7, 64, 4096}
			if len(c.in) <= 1024 {
				sizes = append(sizes, 1)
			}
			for _, size := range sizes {
				if got := c.mask(t, pieces(c.in, size)); got != c.want {
					t.Errorf("writes of %d bytes:\n%s", size, cmp.Diff(c.want, got))
				}
			}
		})
	}
}

func pieces(s string, size int) []string {
	var out []string
	for ; len(s) > size; s = s[size:] {
		out = append(out, s[:size])
	}
	return append(out, s)
}

// session is a command, what it printed and the next command, as a job
// log shows them: the commands around the output must come out intact.
func session(cmd, output string) string {
	return "$ " + cmd + "\n" + output + "$ echo done\ndone\n"
}

// gcpKey is a service-account key file as it is stored in a CI variable:
// JSON whose private_key holds "\n" escapes.
const gcpKey = "{\n" +
	`  "type": "service_account",` + "\n" +
	`  "private_key_id": "0123456789abcdef0123456789abcdef01234567",` + "\n" +
	`  "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n",` + "\n" +
	`  "client_email": "ci-bot@my-project-123456.iam.gserviceaccount.com"` + "\n" +
	"}"

// TestMaskShellForms feeds what bash 5, dash 0.5 and busybox ash print
// for a secret (copied from their output) through the masker.
func TestMaskShellForms(t *testing.T) {
	t.Parallel()
	// An unquoted $K: the words, one space apart (bash, busybox; dash's set -x).
	words := `{ "type": "service_account", "private_key_id": "0123456789abcdef0123456789abcdef01234567", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n", "client_email": "ci-bot@my-project-123456.iam.gserviceaccount.com" }`
	// bash's and busybox's set -x, which quote every word with a metacharacter.
	traced := `'{' '"type":' '"service_account",' '"private_key_id":' '"0123456789abcdef0123456789abcdef01234567",' '"private_key":' '"-----BEGIN' PRIVATE 'KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END' PRIVATE 'KEY-----\n",' '"client_email":' '"ci-bot@my-project-123456.iam.gserviceaccount.com"' '}'`
	// dash's echo turns the \n escapes into line breaks.
	unescape := func(s string) string { return strings.ReplaceAll(s, `\n`, "\n") }
	quote := "it's  a=b\tsecret"
	quoteWords := "ab' a''b ~x x=~y y:~z #c c#d a=b +,-./:@]^_ %x é $HOME! 'q"
	runLongMaskCases(t, []maskCase{
		{name: "bash or busybox: echo $K", secrets: []string{gcpKey},
			in: session("echo $K", words+"\n"), want: session("echo $K", Mask+"\n")},
		{name: "bash or busybox: set -x; echo $K", secrets: []string{gcpKey},
			in:   session("echo $K", "+ echo "+traced+"\n"+words+"\n"),
			want: session("echo $K", "+ echo "+Mask+"\n"+Mask+"\n")},
		{name: `bash: set -x; echo "$K"`, secrets: []string{gcpKey},
			in:   session(`echo "$K"`, "+ echo '"+gcpKey+"'\n"+gcpKey+"\n"),
			want: session(`echo "$K"`, "+ echo '"+Mask+"'\n"+Mask+"\n")},
		{name: "dash: echo $K", secrets: []string{gcpKey},
			in: session("echo $K", unescape(words)+"\n"), want: session("echo $K", Mask+"\n")},
		{name: "dash: set -x; echo $K", secrets: []string{gcpKey},
			in:   session("echo $K", "+ echo "+words+"\n"+unescape(words)+"\n"),
			want: session("echo $K", "+ echo "+Mask+"\n"+Mask+"\n")},
		{name: `dash: echo "$K"`, secrets: []string{gcpKey},
			in: session(`echo "$K"`, unescape(gcpKey)+"\n"), want: session(`echo "$K"`, Mask+"\n")},
		{name: "jq -r .private_key", secrets: []string{gcpKey},
			in:   session("jq -r .private_key", unescape(`-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n`)+"\n"),
			want: session("jq -r .private_key", "-----BEGIN PRIVATE KEY-----\n"+Mask+"\n"+Mask+"\n\n")},
		{name: "jq -c .", secrets: []string{gcpKey},
			in:   session("jq -c .", `{"type":"service_account","private_key_id":"0123456789abcdef0123456789abcdef01234567","private_key":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n","client_email":"ci-bot@my-project-123456.iam.gserviceaccount.com"}`+"\n"),
			want: session("jq -c .", Mask+"\n")},
		{name: "python json.dumps on one line", secrets: []string{gcpKey},
			in:   session("python3 -c 'print(json.dumps(key))'", `{"type": "service_account", "private_key_id": "0123456789abcdef0123456789abcdef01234567", "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n", "client_email": "ci-bot@my-project-123456.iam.gserviceaccount.com"}`+"\n"),
			want: session("python3 -c 'print(json.dumps(key))'", Mask+"\n")},
		{name: "python -m json.tool re-indents: each line without its indentation", secrets: []string{gcpKey},
			in:   session("python3 -m json.tool", strings.ReplaceAll(gcpKey, "\n  ", "\n    ")+"\n"),
			want: session("python3 -m json.tool", "{\n    "+Mask+"\n    "+Mask+"\n    "+Mask+"\n    "+Mask+"\n}\n")},
		{name: "a single-line secret with runs of blanks: echo $S", secrets: []string{"correct  horse\t battery"},
			in: session("echo $S", "correct horse battery\n"), want: session("echo $S", Mask+"\n")},
		{name: `bash: set -x; echo "$S" with a quote`, secrets: []string{quote},
			in:   session(`echo "$S"`, "+ echo 'it'\\''s  a=b\tsecret'\n"+quote+"\n"),
			want: session(`echo "$S"`, "+ echo '"+Mask+"'\n"+Mask+"\n")},
		{name: "bash: set -x; echo $S with a quote", secrets: []string{quote},
			in:   session("echo $S", "+ echo 'it'\\''s' a=b secret\nit's a=b secret\n"),
			want: session("echo $S", "+ echo "+Mask+"\n"+Mask+"\n")},
		{name: `busybox: set -x; echo "$S" with a quote`, secrets: []string{quote},
			in:   session(`echo "$S"`, "+ echo 'it'\"'\"'s  a=b\tsecret'\n"+quote+"\n"),
			want: session(`echo "$S"`, "+ echo '"+Mask+"'\n"+Mask+"\n")},
		{name: "busybox: set -x; echo $S with a quote", secrets: []string{quote},
			in:   session("echo $S", "+ echo 'it'\"'\"'s' 'a=b' secret\nit's a=b secret\n"),
			want: session("echo $S", "+ echo "+Mask+"\n"+Mask+"\n")},
		{name: "bash: set -x quoting rules", secrets: []string{quoteWords},
			in:   session("echo $S", `+ echo 'ab'\''' 'a'\'''\''b' '~x' 'x=~y' 'y:~z' '#c' c#d a=b '+,-./:@]^_' %x é '$HOME!' ''\''q'`+"\n"),
			want: session("echo $S", "+ echo "+Mask+"\n")},
		{name: "busybox: set -x quoting rules", secrets: []string{quoteWords},
			in:   session("echo $S", `+ echo 'ab'"'" 'a'"''"'b' '~x' 'x=~y' 'y:~z' '#c' 'c#d' 'a=b' +,-./:@]^_ '%x' 'é' '$HOME!' ''"'"'q'`+"\n"),
			want: session("echo $S", "+ echo "+Mask+"\n")},
	})
}

// fakePrivateKey is shaped like the PKCS #8 file `openssl genpkey`
// writes for a 2048-bit RSA key (1,704 bytes), made of seeded random bytes.
func fakePrivateKey() string {
	r := rand.New(rand.NewPCG(7, 7))
	der := make([]byte, 1218)
	for i := range der {
		der[i] = byte(r.IntN(256))
	}
	return "-----BEGIN PRIVATE KEY-----\n" + wrapBase64(der, 64) + "-----END PRIVATE KEY-----\n"
}

// wrapBase64 is what GNU base64 (width 76) and openssl base64 (width 64)
// print for b.
func wrapBase64(b []byte, width int) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var out strings.Builder
	for ; len(enc) > width; enc = enc[width:] {
		out.WriteString(enc[:width] + "\n")
	}
	out.WriteString(enc + "\n")
	return out.String()
}

// maskedWrapped is what the masker must leave of wrapBase64(v+post): the
// characters that v's longest base64 form at the start of the encoding
// fills (its full groups; its encoding, padded or not, with or without a
// newline, where the bytes after v leave that unchanged). The line breaks
// between them are wrap breaks, invisible to matching: one [MASKED]
// takes the masked characters of every line.
func maskedWrapped(v, post string, width int) string {
	wrapped := wrapBase64([]byte(v+post), width)
	unwrapped := strings.ReplaceAll(wrapped, "\n", "")
	end := len(v) / 3 * 4
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		for _, form := range []string{enc.EncodeToString([]byte(v)), enc.EncodeToString([]byte(v + "\n"))} {
			if strings.HasPrefix(unwrapped, form) {
				end = max(end, len(form))
			}
		}
	}
	if end == 0 {
		return wrapped
	}
	last := end - 1 + (end-1)/width // where the last masked character is in wrapped
	return Mask + wrapped[last+1:]
}

// TestMaskWrappedBase64 is `base64` and `openssl base64` of a private key
// and of a 64-character token: every line of the encoded secret is masked.
func TestMaskWrappedBase64(t *testing.T) {
	t.Parallel()
	key := fakePrivateKey()
	token := strings.Repeat("0123456789abcdef", 4)
	bareKey := strings.TrimSuffix(key, "\n")
	after := "\nREADME: bytes after the key, enough to fill a line or two of the encoded output.\n"
	more := " and more bytes after the key, enough to fill a line or two of the encoded output.\n"
	var cases []maskCase
	for _, c := range []struct {
		name, secret, post string
		width              int
	}{
		{name: `echo "$K" | base64`, secret: key, post: "\n", width: 76},
		{name: `printf %s "$K" | base64`, secret: key, width: 76},
		{name: `echo "$K" | openssl base64`, secret: key, post: "\n", width: 64},
		{name: "openssl base64 -in key.pem", secret: key, width: 64},
		{name: `echo "$TOKEN" | base64 (a 12-character last line)`, secret: token, post: "\n", width: 76},
		{name: `echo "$TOKEN" | openssl base64`, secret: token, post: "\n", width: 64},
		{name: "cat key.pem README | base64", secret: key, post: after, width: 76},
		{name: "cat key.pem README | openssl base64", secret: key, post: after, width: 64},
		// Without its last newline the key ends inside a group of 3 bytes.
		{name: `echo "$K" | base64 (no newline at the end of the key)`, secret: bareKey, post: "\n", width: 76},
		{name: `printf %s "$K" | openssl base64 (no newline at the end of the key)`, secret: bareKey, width: 64},
		{name: `printf '%s and more' "$K" | base64`, secret: bareKey, post: more, width: 76},
		{name: `printf '%s and more' "$K" | openssl base64`, secret: bareKey, post: more, width: 64},
	} {
		want := maskedWrapped(c.secret, c.post, c.width)
		if whole := c.post == "" || c.post == "\n"; whole && strings.ReplaceAll(want, Mask+"\n", "") != "" {
			t.Fatalf("%s: the secret is the whole stream, yet %q keeps some of it", c.name, want)
		}
		cases = append(cases, maskCase{name: c.name, secrets: []string{c.secret},
			in: session(c.name, wrapBase64([]byte(c.secret+c.post), c.width)), want: session(c.name, want)})
	}
	runLongMaskCases(t, cases)
}

// TestDerivedFormsCost pins what a private key costs in needles, and
// that the benchmark's alphanumeric secrets (20–40 bytes, issue 2) still
// cost only their base64 forms: nothing else changes such a value.
func TestDerivedFormsCost(t *testing.T) {
	t.Parallel()
	needles := func(secret string) [][]byte {
		m := New(nil, Options{})
		if err := m.AddSecret("S", secret); err != nil {
			t.Fatal(err)
		}
		return m.needles
	}
	var count, size int
	for _, n := range needles(fakePrivateKey()) {
		count, size = count+1, size+len(n)
	}
	// 41 needles (27.3 KB) before the wrapped base64 lines, percent
	// styles and shell forms; 115 (42.8 KB) after.
	if count > 120 || size > 44_000 {
		t.Errorf("a 1.7 KB private key makes %d needles of %d bytes in all, more than the 120 and 44,000 budgeted", count, size)
	}

	r := rand.New(rand.NewPCG(1, 2)) // benchCorpus's secrets
	secrets := append(benchSecrets(r, 1000, ""), benchSecrets(r, 100, "tse")...)
	for _, s := range secrets {
		want := map[string]bool{s: true}
		for _, f := range appendBase64(nil, []byte(s)) {
			want[string(f)] = true
		}
		for _, n := range needles(s) {
			if !want[string(n)] {
				t.Fatalf("alphanumeric secret %q gets needle %q besides its base64 forms", s, n)
			}
		}
	}
}

// TestMaskPercentForms: the outputs of Python's urllib.parse, JavaScript
// and PHP for one secret (copied from them) are masked.
func TestMaskPercentForms(t *testing.T) {
	t.Parallel()
	s := "p@ss w0rd/+é~*'!()$&:;=,?#[]"
	var cases []maskCase
	for _, c := range []struct{ tool, encoded string }{
		{"curl --data-urlencode, Python quote(safe=''), PHP rawurlencode", "p%40ss%20w0rd%2F%2B%C3%A9~%2A%27%21%28%29%24%26%3A%3B%3D%2C%3F%23%5B%5D"},
		{"Python quote()", "p%40ss%20w0rd/%2B%C3%A9~%2A%27%21%28%29%24%26%3A%3B%3D%2C%3F%23%5B%5D"},
		{"Python quote_plus, Go QueryEscape", "p%40ss+w0rd%2F%2B%C3%A9~%2A%27%21%28%29%24%26%3A%3B%3D%2C%3F%23%5B%5D"},
		{"JavaScript encodeURIComponent", "p%40ss%20w0rd%2F%2B%C3%A9~*'!()%24%26%3A%3B%3D%2C%3F%23%5B%5D"},
		{"URLSearchParams, Java URLEncoder", "p%40ss+w0rd%2F%2B%C3%A9%7E*%27%21%28%29%24%26%3A%3B%3D%2C%3F%23%5B%5D"},
		{"PHP urlencode", "p%40ss+w0rd%2F%2B%C3%A9%7E%2A%27%21%28%29%24%26%3A%3B%3D%2C%3F%23%5B%5D"},
		{"Go PathEscape", url.PathEscape(s)},
	} {
		for hex, enc := range map[string]string{"upper": c.encoded, "lower": lowerHexDigits(c.encoded)} {
			cases = append(cases, maskCase{name: c.tool + ", " + hex + "-case hex", secrets: []string{s},
				in: "POST /login user=ci&password=" + enc + "&next=%2F\n", want: "POST /login user=ci&password=" + Mask + "&next=%2F\n"})
		}
	}
	for _, c := range []struct{ secret, encoded string }{
		{"correct horse$battery", "correct%20horse%24battery"},
		{"Pa55/w0rd:ab@c", "Pa55/w0rd%3Aab%40c"},
		{"Xy7$kL9!pQ", "Xy7%24kL9!pQ"},
	} {
		cases = append(cases, maskCase{name: c.encoded, secrets: []string{c.secret},
			in: "GET /?token=" + c.encoded + " 200\n", want: "GET /?token=" + Mask + " 200\n"})
	}
	runLongMaskCases(t, cases)
}

// lowerHexDigits writes the hex digits after each '%' in lower case.
func lowerHexDigits(encoded string) string {
	parts := strings.Split(encoded, "%")
	for i := 1; i < len(parts); i++ {
		parts[i] = strings.ToLower(parts[i][:2]) + parts[i][2:]
	}
	return strings.Join(parts, "%")
}

// TestPercentStylesMatchGo: the table's rows for Go's two escapers write
// every byte as Go does.
func TestPercentStylesMatchGo(t *testing.T) {
	t.Parallel()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, c := range []struct {
		style percentStyle
		want  string
	}{
		{percentStyle{"-._~", true}, url.QueryEscape(string(all))},
		{percentStyle{"-._~$&+:=@", false}, url.PathEscape(string(all))},
	} {
		if !slices.Contains(percentStyles, c.style) {
			t.Errorf("style %+v is not in percentStyles", c.style)
		}
		if got := string(percentEncode(all, c.style, "0123456789ABCDEF")); got != c.want {
			t.Errorf("style %+v:\n%s", c.style, cmp.Diff(c.want, got))
		}
	}
}

// TestMaskJSONForms: Python's json.dumps and PHP's json_encode escape what
// Go's encoder leaves alone.
func TestMaskJSONForms(t *testing.T) {
	t.Parallel()
	s := `key/é😀"x-secret`
	var cases []maskCase
	for _, c := range []struct{ tool, encoded string }{
		{"Python json.dumps", `key/\u00e9\ud83d\ude00\"x-secret`},
		{"PHP json_encode", `key\/\u00e9\ud83d\ude00\"x-secret`},
		{"PHP json_encode JSON_UNESCAPED_UNICODE", `key\/é😀\"x-secret`},
		{"JSON.stringify", `key/é😀\"x-secret`},
	} {
		cases = append(cases, maskCase{name: c.tool, secrets: []string{s},
			in: `{"password": "` + c.encoded + `", "user": "ci"}`, want: `{"password": "` + Mask + `", "user": "ci"}`})
	}
	runLongMaskCases(t, cases)
}

// BenchmarkMaskWithPrivateKey is BenchmarkMask's 100-secret case with a
// 1.7 KB private key registered too (115 needles, the longest 2.3 KB).
func BenchmarkMaskWithPrivateKey(b *testing.B) {
	corpus, sets := benchCorpus()
	m := New(struct{ io.Writer }{io.Discard}, Options{})
	for _, s := range append([]string{fakePrivateKey()}, sets[2]...) {
		if err := m.AddSecret("S", s); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := m.Write(corpus[:benchWrite]); err != nil { // builds the index
		b.Fatal(err)
	}
	b.SetBytes(int64(len(corpus)))
	buf := make([]byte, benchWrite)
	cpu := processCPU()
	for b.Loop() {
		if _, err := io.CopyBuffer(m, struct{ io.Reader }{bytes.NewReader(corpus)}, buf); err != nil {
			b.Fatal(err)
		}
	}
	reportCPUThroughput(b, len(corpus), cpu)
}

// BenchmarkAddPrivateKey is what one private key costs a job's masker
// before the first byte is masked: its derived forms and their index.
func BenchmarkAddPrivateKey(b *testing.B) {
	key := fakePrivateKey()
	b.ReportAllocs()
	for b.Loop() {
		m := New(io.Discard, Options{})
		if err := m.AddSecret("K", key); err != nil {
			b.Fatal(err)
		}
		if _, err := m.Write([]byte("first line\n")); err != nil {
			b.Fatal(err)
		}
	}
}
