package masker

import "bytes"

// Terminal escape sequences are invisible to matching: a colour code in
// the middle of a secret must not hide it (leak F). A buffer that contains
// ESC is matched through a view without its CSI and OSC sequences, and a
// span found in the view is mapped back so that it covers the escapes
// inside it too.

const (
	esc = 0x1b
	// An escape sequence longer than this is not one: the bound keeps
	// hold-back finite when a stray ESC is followed by a flood of bytes.
	maxCSI = 64
	maxOSC = 512
)

type escapeKind int

const (
	notEscape escapeKind = iota
	completeEscape
	incompleteEscape // the buffer ends before the sequence does
)

// escapeAt classifies the sequence that starts with the ESC at b[0] and
// returns its length when it is complete. It knows CSI (colours, cursor),
// the string sequences OSC, DCS, SOS, PM and APC (titles, hyperlinks), and
// the short ones such as ESC ( B that `tput sgr0` prints.
func escapeAt(b []byte) (escapeKind, int) {
	if len(b) < 2 {
		return incompleteEscape, 0
	}
	switch c := b[1]; {
	case c == '[': // CSI: parameters and intermediates 0x20–0x3F, final 0x40–0x7E
		return runEscape(b, 2, maxCSI, 0x20, 0x3f, 0x40, 0x7e)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return stringEscape(b)
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final 0x30–0x7E
		return runEscape(b, 1, maxCSI, 0x20, 0x2f, 0x30, 0x7e)
	case c >= 0x30 && c <= 0x7e:
		return completeEscape, 2
	}
	return notEscape, 0
}

// runEscape scans bytes in [lo, hi] from b[from] up to one in [flo, fhi].
func runEscape(b []byte, from, limit int, lo, hi, flo, fhi byte) (escapeKind, int) {
	for i := from; i < len(b) && i < limit; i++ {
		switch c := b[i]; {
		case c >= flo && c <= fhi:
			return completeEscape, i + 1
		case c < lo || c > hi:
			return notEscape, 0
		}
	}
	if len(b) < limit {
		return incompleteEscape, 0
	}
	return notEscape, 0
}

// stringEscape scans a string sequence up to BEL or ESC '\'.
func stringEscape(b []byte) (escapeKind, int) {
	for i := 2; i < len(b) && i < maxOSC; i++ {
		switch b[i] {
		case 0x07:
			return completeEscape, i + 1
		case esc:
			if i+1 == len(b) {
				return incompleteEscape, 0
			}
			if b[i+1] == '\\' {
				return completeEscape, i + 2
			}
			return notEscape, 0
		}
	}
	if len(b) < maxOSC {
		return incompleteEscape, 0
	}
	return notEscape, 0
}

// stripEscapes fills view with the bytes of b outside escape sequences and
// pos with the index in b of each of them. It stops before an escape
// sequence that b ends inside of and returns where that starts (len(b)
// when none); at the end of the stream (final) such a sequence is plain
// text, as it would be if the stream had been written in one piece.
func stripEscapes(b, view []byte, pos []int32, final bool) ([]byte, []int32, int) {
	view, pos = view[:0], pos[:0]
	i := 0
	for i < len(b) {
		j := bytes.IndexByte(b[i:], esc)
		if j < 0 {
			j = len(b) - i
		}
		for k := i; k < i+j; k++ {
			pos = append(pos, int32(k))
		}
		view = append(view, b[i:i+j]...)
		i += j
		if i == len(b) {
			break
		}
		kind, n := escapeAt(b[i:])
		switch {
		case kind == completeEscape:
			i += n
		case kind == incompleteEscape && !final:
			return view, pos, i
		default: // a lone ESC is an ordinary byte
			view = append(view, esc)
			pos = append(pos, int32(i))
			i++
		}
	}
	return view, pos, len(b)
}
