package masker

import (
	"bytes"
	"regexp"
	"slices"
)

// referenceMask is the obviously-correct (and slow) masker the streaming
// one is checked against: it sees the whole input at once, tries every
// needle and every trigger at every position, and replaces the union of
// all spans. It shares only the definitions (needles, triggers, character
// classes) with the package, none of its search or streaming code.
func referenceMask(in []byte, needles [][]byte, triggers []trigger) []byte {
	breaks := referenceWrapBreaks(in)
	view, pos := referenceView(in, breaks)
	posAt := func(i int) int { // view index → input offset, len(view) → len(in)
		if i == len(view) {
			return len(in)
		}
		return pos[i]
	}
	var spans []span
	for s := range view {
		for _, n := range needles {
			if bytes.HasPrefix(view[s:], n) {
				spans = append(spans, span{pos[s], pos[s+len(n)-1] + 1})
			}
		}
		for _, tr := range triggers {
			if len(view)-s < len(tr.text) || !tr.matches(view[s:s+len(tr.text)]) {
				continue
			}
			te := s + len(tr.text)
			if tr.kind == authority {
				a, b, long := referenceAuthority(view[te:])
				switch {
				case long:
					e := te + a
					for e < len(view) && (isQueryByte(view[e]) || isAuthorityByte(view[e])) {
						e++
					}
					spans = append(spans, span{pos[te+a], posAt(e)})
				case b > a:
					spans = append(spans, span{pos[te+a], pos[te+b]})
				}
				continue
			}
			e := te
			for e < len(view) && (tr.kind == tokenBody && isTokenByte(view[e]) || tr.kind == queryValue && isQueryByte(view[e])) {
				e++
			}
			if e > te {
				spans = append(spans, span{pos[te], posAt(e)})
			}
		}
	}
	// The raw bytes are searched too when the view is not the input.
	searchRaw := bytes.IndexByte(in, esc) >= 0 || slices.Contains(breaks, true)
	if searchRaw {
		for s := range in {
			for _, n := range needles {
				if bytes.HasPrefix(in[s:], n) {
					spans = append(spans, span{s, s + len(n)})
				}
			}
		}
	}
	// At the end of the stream, a tail that begins like a needle (8 bytes
	// or more) is masked rather than released.
	tail := len(in)
	if s := referenceTail(view, needles); s >= 0 {
		tail = pos[s]
	}
	if s := referenceTail(in, needles); searchRaw && s >= 0 {
		tail = min(tail, s)
	}
	if q := referenceUnfinished(in); q < len(in) {
		// The tail before an unfinished escape sequence at the end.
		before, bpos := referenceStrip(in[:q])
		if s := referenceTail(before, needles); s >= 0 {
			tail = min(tail, bpos[s])
		}
	}
	if tail < len(in) {
		spans = append(spans, span{tail, len(in)})
	}
	return referenceReplace(in, spans)
}

// referenceTail returns the first position whose tail of 8 bytes or more
// is a proper prefix of a needle, or -1.
func referenceTail(b []byte, needles [][]byte) int {
	for s := range b {
		if len(b)-s < 8 {
			break
		}
		if slices.ContainsFunc(needles, func(n []byte) bool { return len(n) > len(b)-s && bytes.HasPrefix(n, b[s:]) }) {
			return s
		}
	}
	return -1
}

// referenceAuthority finds user:PASSWORD@ at the start of a URL authority:
// the password runs from after the first ':' to the last '@' (start,
// end; end ≤ start: none). An authority of maxAuthority bytes or more
// with one ':' and no '@' after it has a long password from start on.
func referenceAuthority(b []byte) (start, end int, long bool) {
	colon, at, n := -1, -1, 0
	for ; n < len(b) && n < maxAuthority && isAuthorityByte(b[n]); n++ {
		if b[n] == ':' && colon < 0 {
			colon = n
		}
		if b[n] == '@' {
			at = n
		}
	}
	if colon < 0 {
		return 0, 0, false
	}
	return colon + 1, at, at < colon && n == maxAuthority && bytes.Count(b[:n], []byte(":")) == 1
}

// referenceUnfinishedCSI matches what a [MASKED] must not follow: ESCs,
// or an unfinished CSI and the ESCs before it.
var referenceUnfinishedCSI = regexp.MustCompile(`(?:\x1b*\x1b\[[\x20-\x3f]*|\x1b+)$`)

// referenceReplace replaces the union of spans by [MASKED]; a [MASKED]
// takes in the unfinished escape sequence that would come right before it
// in the output.
func referenceReplace(in []byte, spans []span) []byte {
	slices.SortFunc(spans, compareSpans)
	extend := func(from, start int) int {
		if loc := referenceUnfinishedCSI.FindIndex(in[from:start]); loc != nil {
			return from + loc[0]
		}
		return start
	}
	var out []byte
	cur := 0
	for i := 0; i < len(spans); {
		a, b := extend(cur, max(cur, spans[i].start)), spans[i].end
		for i++; i < len(spans); i++ {
			if s := spans[i].start; s > b && extend(b, s) > b {
				break
			}
			b = max(b, spans[i].end)
		}
		out = append(out, in[cur:a]...)
		out = append(out, Mask...)
		cur = b
	}
	return append(out, in[cur:]...)
}

// referenceEscape: CSI; OSC, DCS, SOS, PM, APC up to BEL or ESC \; ESC,
// intermediates, final; ESC and one final byte.
var referenceEscape = regexp.MustCompile(`^(?:` +
	`\x1b\[[\x20-\x3f]{0,61}[\x40-\x7e]|` +
	`\x1b[\]PX^_][^\x07\x1b]{0,509}(?:\x07|\x1b\\)|` +
	`\x1b[\x20-\x2f]{1,62}[\x30-\x7e]|` +
	`\x1b[\x30-\x4f\x51-\x57\x59\x5a\x5c\x60-\x7e])`)

// referenceUnfinished returns where an escape sequence that in ends
// inside of begins: the first ESC, outside complete sequences, after which
// one more byte would complete a sequence. len(in) when there is none.
func referenceUnfinished(in []byte) int {
	for i := 0; i < len(in); i++ {
		if in[i] != esc {
			continue
		}
		if m := referenceEscape.Find(in[i:]); m != nil {
			i += len(m) - 1
			continue
		}
		for c := range 256 {
			if m := referenceEscape.Find(append(slices.Clone(in[i:]), byte(c))); len(m) == len(in)-i+1 {
				return i
			}
		}
	}
	return len(in)
}

// referenceStrip removes CSI and OSC sequences and says where each
// remaining byte came from.
func referenceStrip(in []byte) ([]byte, []int) {
	return referenceView(in, make([]bool, len(in)))
}

// referenceWrapLine is a line that base64 tools end with a wrap break
// when more base64 follows: 64 or 76 characters of either alphabet.
var (
	referenceWrapLine  = regexp.MustCompile(`^(?:[A-Za-z0-9+/_-]{64}|[A-Za-z0-9+/_-]{76})\r?$`)
	referenceBase64One = regexp.MustCompile(`^[A-Za-z0-9+/_-]`)
)

// referenceWrapBreaks marks the bytes of in that are wrap breaks: the
// "\r\n" or "\n" after a wrap line that another base64 character follows.
func referenceWrapBreaks(in []byte) []bool {
	marks := make([]bool, len(in))
	start := 0
	for i, c := range in {
		if c != '\n' {
			continue
		}
		line := in[start:i]
		if referenceWrapLine.Match(line) && referenceBase64One.Match(in[i+1:]) {
			marks[i] = true
			if bytes.HasSuffix(line, []byte("\r")) {
				marks[i-1] = true
			}
		}
		start = i + 1
	}
	return marks
}

// referenceView removes escape sequences and the bytes marked in skip
// (wrap breaks), and says where each remaining byte came from.
func referenceView(in []byte, skip []bool) ([]byte, []int) {
	var view []byte
	var pos []int
	for i := 0; i < len(in); {
		if in[i] == esc {
			if m := referenceEscape.Find(in[i:]); m != nil {
				i += len(m)
				continue
			}
		}
		if skip[i] {
			i++
			continue
		}
		view = append(view, in[i])
		pos = append(pos, i)
		i++
	}
	return view, pos
}
