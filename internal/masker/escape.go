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
// returns its length when it is complete.
func escapeAt(b []byte) (escapeKind, int) {
	if len(b) < 2 {
		return incompleteEscape, 0
	}
	switch b[1] {
	case '[': // CSI: parameters and intermediates 0x20–0x3F, final 0x40–0x7E
		for i := 2; i < len(b) && i < maxCSI; i++ {
			switch c := b[i]; {
			case c >= 0x40 && c <= 0x7e:
				return completeEscape, i + 1
			case c < 0x20 || c > 0x3f:
				return notEscape, 0
			}
		}
		if len(b) < maxCSI {
			return incompleteEscape, 0
		}
	case ']': // OSC: anything up to BEL or ESC '\'
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
