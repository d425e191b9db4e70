package masker

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// derivedForms returns the ways a secret commonly reaches a log besides
// verbatim (leak cases E and G of reference/masking.md): base64 in every
// alignment, percent-encoding, JSON and Go quoting, and for multi-line
// values (private keys) the other line-break conventions and each line.
// The value itself comes first; duplicates are left to the caller.
func derivedForms(v []byte) [][]byte {
	forms := [][]byte{v}
	forms = appendBase64(forms, v)
	forms = appendPercent(forms, string(v))
	forms = appendQuoted(forms, v)
	if bytes.IndexByte(v, '\n') >= 0 {
		forms = appendLines(forms, v)
	}
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

// appendPercent adds query and path escaping, with upper- and lower-case
// hex digits ('+' for a space in the query form).
func appendPercent(forms [][]byte, v string) [][]byte {
	for _, e := range []string{url.QueryEscape(v), url.PathEscape(v)} {
		forms = append(forms, []byte(e), []byte(lowerHex(e)))
	}
	return forms
}

func lowerHex(e string) string {
	if !strings.Contains(e, "%") {
		return e
	}
	b := []byte(e)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
		}
	}
	return string(b)
}

// appendQuoted adds the value as it appears inside a JSON string (with and
// without HTML escaping) and inside a Go %q string, without the quotes.
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
		forms = append(forms, j[1:len(j)-1])
	}
	q := strconv.Quote(s)
	return append(forms, []byte(q[1:len(q)-1]))
}

// minLineLength is the shortest line of a multi-line secret masked on its
// own: shorter lines ("{", "-----END") would mask half the log (leak G).
const minLineLength = 8

// appendLines adds a multi-line value with "\n" and "\r\n" line breaks,
// with line breaks turned into spaces (an unquoted echo, set -x), and
// each line of at least minLineLength bytes on its own.
func appendLines(forms [][]byte, v []byte) [][]byte {
	lines := bytes.Split(v, []byte("\n"))
	for i := range lines {
		lines[i] = bytes.TrimSuffix(lines[i], []byte("\r"))
	}
	for _, sep := range []string{"\n", "\r\n", " "} {
		forms = append(forms, bytes.Join(lines, []byte(sep)))
	}
	for _, l := range lines {
		if len(bytes.TrimSpace(l)) >= minLineLength {
			forms = append(forms, l)
		}
	}
	return forms
}
