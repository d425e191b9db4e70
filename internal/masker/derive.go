package masker

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// derivedForms returns the ways a secret commonly reaches a log besides
// verbatim (leak cases E and G of reference/masking.md): base64 in every
// alignment, unwrapped and wrapped as base64 tools wrap it; percent-encoding
// as the common encoders write it; JSON, Go and shell quoting; what a shell
// prints for an unquoted $S; and for multi-line values (private keys, JSON
// key files) the other line-break conventions and each line.
// The value itself comes first; duplicates are left to the caller, so a
// form that equals the value (an alphanumeric secret's percent-encoding,
// say) costs nothing.
func derivedForms(v []byte) [][]byte {
	forms := [][]byte{v}
	forms = appendBase64(forms, v)
	forms = appendWrappedBase64(forms, v)
	forms = appendPercent(forms, v)
	forms = appendQuoted(forms, v)
	forms = appendShell(forms, v)
	return forms
}

// appendBase64 adds, for the standard and the URL-safe alphabet:
//   - the full groups of 3 bytes at each of the three alignments the value
//     can have inside a longer encoded blob (its edges share a group with
//     unknown neighbours, so they are left out);
//   - the value's own encoding, padded and unpadded, and the same with a
//     trailing newline, which is what `echo $S | base64` prints.
func appendBase64(forms [][]byte, v []byte) [][]byte {
	withNewline := append(bytes.Clone(v), '\n')
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
		for skip := 0; skip < 3 && skip < len(v); skip++ {
			n := (len(v) - skip) / 3 * 3
			if n > 0 {
				forms = append(forms, []byte(enc.EncodeToString(v[skip:skip+n])))
			}
		}
		for _, whole := range [][]byte{v, withNewline} {
			forms = append(forms, []byte(enc.EncodeToString(whole)))
			forms = append(forms, []byte(enc.WithPadding(base64.NoPadding).EncodeToString(whole)))
		}
	}
	return forms
}

// base64Widths are the line lengths base64 tools wrap at: GNU base64 and
// MIME at 76, openssl base64 and PEM at 64.
var base64Widths = []int{76, 64}

// appendWrappedBase64 adds the lines that `echo "$S" | base64` prints for
// a value longer than 57 bytes (any private key), each line a needle of
// its own, since the line breaks cut every unwrapped form apart. The
// value starts the stream: the lines of its encoding with and without a
// trailing newline, and of its full groups alone, whose last line is the
// part of that line that no byte after the value changes.
//
// A value at another offset of the stream (after "K=", say) has its line
// breaks elsewhere: masking it would need a set of lines per offset (57 at
// width 76, 48 at 64). Offsets 1 and 2 alone would double this function's
// needles (132 more for a 1.7 KB key) for prefixes of exactly one or two
// bytes, so they are left out too.
func appendWrappedBase64(forms [][]byte, v []byte) [][]byte {
	withNewline := append(bytes.Clone(v), '\n')
	for _, width := range base64Widths {
		for _, b := range [][]byte{v[:len(v)/3*3], v, withNewline} {
			forms = appendWrappedLines(forms, base64.StdEncoding.EncodeToString(b), width)
		}
	}
	return forms
}

// appendWrappedLines adds the lines of enc wrapped at width; an enc that
// fits on one line adds nothing, the unwrapped forms hold it. A last line
// shorter than longNeedle is joined to the line before it (the needle
// then spans the "\n"): a needle that short gets a band of its own that
// the matcher samples at every byte of every log, and a 64-character
// token's last line would otherwise be 12 characters long.
func appendWrappedLines(forms [][]byte, enc string, width int) [][]byte {
	if len(enc) <= width {
		return forms
	}
	prev := ""
	for from := 0; from < len(enc); from += width {
		line := enc[from:min(from+width, len(enc))]
		forms = append(forms, wrappedNeedle(prev, line))
		prev = line
	}
	return forms
}

// wrappedNeedle is line, or prev, a line break and line when line is
// shorter than longNeedle.
func wrappedNeedle(prev, line string) []byte {
	if len(line) < longNeedle && prev != "" {
		return []byte(prev + "\n" + line)
	}
	return []byte(line)
}

// percentStyle is how one family of encoders percent-encodes: the bytes
// it leaves as they are besides ASCII letters and digits, and whether a
// space becomes '+' (application/x-www-form-urlencoded). Every other byte
// becomes %XX, one per byte of UTF-8.
type percentStyle struct {
	keep      string
	spacePlus bool
}

var percentStyles = []percentStyle{
	{"-._~", false},       // RFC 3986: curl --data-urlencode, Python quote(safe=''), PHP rawurlencode
	{"-._~", true},        // Go url.QueryEscape, Python quote_plus
	{"-._~/", false},      // Python quote() (safe='/' by default)
	{"-._~$&+:=@", false}, // Go url.PathEscape
	{"-._~!*'()", false},  // JavaScript encodeURIComponent
	{"-._*", true},        // URLSearchParams (WHATWG forms), Java URLEncoder
	{"-._", true},         // PHP urlencode
}

// appendPercent adds the value percent-encoded in every style, with upper-
// and lower-case hex digits.
func appendPercent(forms [][]byte, v []byte) [][]byte {
	for _, style := range percentStyles {
		for _, digits := range []string{"0123456789ABCDEF", "0123456789abcdef"} {
			forms = append(forms, percentEncode(v, style, digits))
		}
	}
	return forms
}

func percentEncode(v []byte, style percentStyle, digits string) []byte {
	out := make([]byte, 0, len(v))
	for _, c := range v {
		switch {
		case isAlnum(c) || strings.IndexByte(style.keep, c) >= 0:
			out = append(out, c)
		case c == ' ' && style.spacePlus:
			out = append(out, '+')
		default:
			out = append(out, '%', digits[c>>4], digits[c&15])
		}
	}
	return out
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// appendQuoted adds the value as it appears inside a JSON string (with
// and without HTML escaping, and as PHP's json_encode and Python's
// json.dumps write it) and inside a Go %q string, without the quotes; and
// a JSON value (a service-account key) on one line, as jq -c and Python's
// json.dumps print it.
func appendQuoted(forms [][]byte, v []byte) [][]byte {
	s := string(v)
	if j, err := json.Marshal(s); err == nil {
		forms = append(forms, j[1:len(j)-1])
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if enc.Encode(s) == nil {
		j := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		j = j[1 : len(j)-1]
		ascii := asciiJSON(j)                                          // Python json.dumps (ensure_ascii)
		slashed := escapeSlashes(j)                                    // PHP json_encode with JSON_UNESCAPED_UNICODE
		forms = append(forms, j, ascii, slashed, escapeSlashes(ascii)) // the last: PHP's default
	}
	q := strconv.Quote(s)
	forms = append(forms, []byte(q[1:len(q)-1]))
	var compact bytes.Buffer
	if json.Compact(&compact, v) == nil {
		forms = append(forms, compact.Bytes(), spacedJSON(compact.Bytes()))
	}
	return forms
}

// spacedJSON is compact JSON as Python's json.dumps writes it on one
// line: ", " and ": " between items.
func spacedJSON(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/8)
	inString, escaped := false, false
	for _, c := range compact {
		out = append(out, c)
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return out
}

// asciiJSON writes every non-ASCII character of a JSON string body as
// \uXXXX (lower-case hex, UTF-16 surrogate pairs above U+FFFF).
func asciiJSON(j []byte) []byte {
	out := make([]byte, 0, len(j))
	for len(j) > 0 {
		r, size := utf8.DecodeRune(j)
		if r < utf8.RuneSelf {
			out = append(out, j[0])
		} else if hi, lo := utf16.EncodeRune(r); hi != utf8.RuneError {
			out = appendUnicodeEscape(appendUnicodeEscape(out, hi), lo)
		} else {
			out = appendUnicodeEscape(out, r)
		}
		j = j[size:]
	}
	return out
}

func appendUnicodeEscape(out []byte, r rune) []byte {
	const digits = "0123456789abcdef"
	return append(out, '\\', 'u', digits[r>>12&15], digits[r>>8&15], digits[r>>4&15], digits[r&15])
}

// escapeSlashes writes '/' as `\/`; a JSON string body has no '/' inside
// an escape sequence.
func escapeSlashes(j []byte) []byte {
	return bytes.ReplaceAll(j, []byte("/"), []byte(`\/`))
}

// minLineLength is the shortest line of a multi-line secret masked on its
// own: shorter lines ("{", "-----END") would mask half the log (leak G).
const minLineLength = 8

// appendShell adds what shells print for the value:
//   - an unquoted $S: the words (split at blanks and line breaks) joined by
//     one space, as `echo $S` and dash's set -x print them, and as bash's
//     and busybox's set -x quote them;
//   - "$S" under set -x when the value holds a single quote;
//   - dash's echo (and bash's echo -e), which turns the "\n" inside a JSON
//     key file's private_key into line breaks;
//   - for each of these texts that spans lines, its lines (appendLines).
func appendShell(forms [][]byte, v []byte) [][]byte {
	words := bytes.FieldsFunc(v, isIFS)
	joined := bytes.Join(words, []byte(" "))
	forms = append(forms, joined, bytes.Join(bytes.Fields(v), []byte(" ")))
	if len(words) > 1 {
		forms = append(forms, joinQuoted(words, bashQuote), joinQuoted(words, busyboxQuote))
	}
	if bytes.IndexByte(v, '\'') >= 0 {
		forms = append(forms, bashQuoteInner(v), busyboxQuoteInner(v))
	}
	texts := [][]byte{v}
	if bytes.IndexByte(v, '\\') >= 0 {
		texts = append(texts, echoEscapes(v), echoEscapes(joined))
		forms = append(forms, texts[1:]...)
	}
	for _, text := range texts {
		if bytes.IndexByte(text, '\n') >= 0 {
			forms = appendLines(forms, text)
		}
	}
	return forms
}

// isIFS reports whether r is in the shell's default IFS: "\r" is not, so
// a CRLF value's words keep their "\r".
func isIFS(r rune) bool { return r == ' ' || r == '\t' || r == '\n' }

func joinQuoted(words [][]byte, quote func([]byte) []byte) []byte {
	quoted := make([][]byte, len(words))
	for i, w := range words {
		quoted[i] = quote(w)
	}
	return bytes.Join(quoted, []byte(" "))
}

// bashQuote is how bash's set -x writes a word (sh_contains_shell_metas
// and sh_single_quote in bash's lib/sh/shquote.c). Words with control
// characters, which bash writes as $'…', are left as they are.
func bashQuote(w []byte) []byte {
	if !bytes.ContainsFunc(w, isBashMeta) && w[0] != '~' && w[0] != '#' &&
		!bytes.Contains(w, []byte("=~")) && !bytes.Contains(w, []byte(":~")) {
		return w
	}
	if string(w) == "'" {
		return []byte(`\'`)
	}
	return append(append([]byte{'\''}, bashQuoteInner(w)...), '\'')
}

func isBashMeta(r rune) bool { return strings.ContainsRune(" \t\n'\"\\|&;()<>!{}*[?]^$`", r) }

// bashQuoteInner is w inside bash's single quotes: each quote ends the
// quoting, is written as \' and starts it again.
func bashQuoteInner(w []byte) []byte {
	return bytes.ReplaceAll(w, []byte("'"), []byte(`'\''`))
}

// busyboxQuote is how busybox ash's set -x writes a word
// (maybe_single_quote in shell/ash.c): quoted unless every byte is one of
// + , - . / 0-9 : @ A-Z ] ^ _ a-z.
func busyboxQuote(w []byte) []byte {
	plain := func(c byte) bool {
		return isAlnum(c) || strings.IndexByte("+,-./:@]^_", c) >= 0
	}
	for _, c := range w {
		if !plain(c) {
			quoted := append([]byte{'\''}, busyboxQuoteInner(w)...)
			if w[len(w)-1] == '\'' { // the double-quoted run ends it
				return quoted
			}
			return append(quoted, '\'')
		}
	}
	return w
}

// busyboxQuoteInner is w inside ash's single quotes: each run of quotes
// ends the quoting, is written inside double quotes and starts it again.
func busyboxQuoteInner(w []byte) []byte {
	var out []byte
	for len(w) > 0 {
		n := bytes.IndexByte(w, '\'')
		if n < 0 {
			return append(out, w...)
		}
		run := n + 1
		for run < len(w) && w[run] == '\'' {
			run++
		}
		out = append(append(append(append(out, w[:n]...), `'"`...), w[n:run]...), `"`...)
		if w = w[run:]; len(w) > 0 {
			out = append(out, '\'')
		}
	}
	return out
}

// echoEscapes is what dash's echo and bash's echo -e print for v: \n, \t,
// \\ and the other backslash escapes become the bytes they name, \0nnn an
// octal byte; other backslashes stay. (\c ends echo's output: the part
// before it is a prefix of the secret, often a common word such as
// "pass" or a Windows domain, so it is not made a needle of its own.)
func echoEscapes(v []byte) []byte {
	const names, bytesNamed = `\abfnrtv`, "\\\a\b\f\n\r\t\v"
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' || i+1 == len(v) {
			out = append(out, v[i])
			continue
		}
		switch c := v[i+1]; {
		case strings.IndexByte(names, c) >= 0:
			out = append(out, bytesNamed[strings.IndexByte(names, c)])
			i++
		case c == '0':
			octal, j := 0, i+2
			for ; j < len(v) && j < i+5 && '0' <= v[j] && v[j] <= '7'; j++ {
				octal = octal*8 + int(v[j]-'0')
			}
			out = append(out, byte(octal))
			i = j - 1
		default:
			out = append(out, '\\')
		}
	}
	return out
}

// appendLines adds a multi-line value with "\n" and "\r\n" line breaks,
// with line breaks turned into spaces (tr '\n' ' '), and each line of at
// least minLineLength bytes on its own without its indentation, which
// jq, yq and an unquoted echo change.
func appendLines(forms [][]byte, v []byte) [][]byte {
	lines := bytes.Split(v, []byte("\n"))
	for i := range lines {
		lines[i] = bytes.TrimSuffix(lines[i], []byte("\r"))
	}
	for _, sep := range []string{"\n", "\r\n", " "} {
		forms = append(forms, bytes.Join(lines, []byte(sep)))
	}
	for _, l := range lines {
		if l = bytes.TrimSpace(l); len(l) >= minLineLength {
			forms = append(forms, l)
		}
	}
	return forms
}
