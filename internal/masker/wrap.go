package masker

import (
	"bytes"
	"encoding/binary"
	"slices"
)

// Base64 tools wrap their output (GNU base64 at 76 columns, openssl and
// PEM at 64), so a secret inside a longer blob has its encoding cut by a
// line break wherever it crosses a column limit, and no needle matches.
// Such line breaks are invisible to matching, as escape sequences are: a
// wrap break is the "\n" (with the "\r" before it, if any) that ends a
// line of exactly 64 or 76 base64 characters (standard or URL-safe
// alphabet, no '=': padding only ends the last line) and is followed by
// another base64 character. A span found across one covers the break, so
// the [MASKED] joins the two lines.
//
// Finding a wrap line needs its start. A buffer the stream masks begins
// mid-line only when that line cannot be a wrap line (wrapLineStart keeps
// the buffer's tail from the line's start otherwise), and a line break
// at the end of a buffer, which the next byte decides, is left out of the
// view until that byte arrives (pendingBreak).

// wrapWidths are the lengths of a full wrapped line; wrapMax the longer.
const (
	wrapNarrow = 64
	wrapMax    = 76
)

var base64Bytes = func() (t [256]bool) {
	for _, c := range []byte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_") {
		t[c] = true
	}
	return t
}()

func isWrapWidth(n int) bool { return n == wrapNarrow || n == wrapMax }

func allBase64(b []byte) bool {
	for _, c := range b {
		if !base64Bytes[c] {
			return false
		}
	}
	return true
}

// mayBeBase64 reports whether no byte of the 8 in w lies outside
// '+'..'z', the range of the base64 characters: a cheap test that the
// spaces, line breaks and punctuation of ordinary text fail.
func mayBeBase64(w uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	below := (w - '+'*ones) &^ w & highs // a byte < '+' (exact for "any")
	above := (w + (0x7f-'z')*ones | w) & highs
	return below|above == 0
}

// wrapSample is the stride of the 16-byte samples wrapBreaks tests: a
// line of 64 base64 characters holds a whole sample at any of 49
// consecutive offsets, so at one of a stride of 48.
const wrapSample = 48

// wrapBreaks appends the wrap breaks of b to breaks (in order), given
// whether b begins a line. A line break at the very end of b is not one:
// the caller decides it with pendingBreak, or at the end of the stream
// there is no next byte.
func wrapBreaks(b []byte, lineStart bool, breaks []span) []span {
	next := 0 // samples before next lie in lines looked at already
	if haveVectorScan {
		// A run of 64 holds a whole 32-byte block at a multiple of 32.
		for p := nextBase64Block(b, 0); p+32 <= len(b); p = nextBase64Block(b, p+32) {
			breaks, next = wrapBreakAround(b, p, next, lineStart, breaks)
		}
		return breaks
	}
	for p := 0; p+16 <= len(b); p += wrapSample {
		// Ordinary text fails the first test, most long words the second.
		if mayBeBase64(binary.LittleEndian.Uint64(b[p:])) && mayBeBase64(binary.LittleEndian.Uint64(b[p+8:])) {
			breaks, next = wrapBreakAround(b, p, next, lineStart, breaks)
		}
	}
	return breaks
}

// wrapBreakAround appends the wrap break that ends the line around the
// sample at p, if there is one, and returns where the next line starts.
func wrapBreakAround(b []byte, p, next int, lineStart bool, breaks []span) ([]span, int) {
	if p < next || !longBase64Run(b, p) {
		return breaks, next
	}
	ls, le, ok := lineAround(b, p, lineStart)
	if !ok {
		return breaks, next
	}
	if brk, ok := wrapBreakAt(b, ls, le); ok {
		breaks = append(breaks, brk)
	}
	return breaks, le + 1
}

// longBase64Run reports whether b[p] lies in a run of at least 64
// base64 characters.
func longBase64Run(b []byte, p int) bool {
	i, j := p, p
	for ; j < len(b) && j-i < wrapNarrow && base64Bytes[b[j]]; j++ {
	}
	for ; i > 0 && j-i < wrapNarrow && base64Bytes[b[i-1]]; i-- {
	}
	return j-i >= wrapNarrow
}

// lineAround returns the line around b[p] ([ls, le), le at its "\n") when
// it is short enough to be a wrap line, its start is known and it ends in b.
func lineAround(b []byte, p int, lineStart bool) (ls, le int, ok bool) {
	from := max(0, p-wrapMax)
	switch i := bytes.LastIndexByte(b[from:p], '\n'); {
	case i >= 0:
		ls = from + i + 1
	case from == 0 && lineStart:
		ls = 0
	default:
		return 0, 0, false
	}
	j := bytes.IndexByte(b[p:min(len(b), ls+wrapMax+2)], '\n')
	if j < 0 {
		return 0, 0, false
	}
	return ls, p + j, true
}

// wrapBreakAt returns the wrap break that ends the line b[ls:le] (b[le]
// is its "\n"), if it is one.
func wrapBreakAt(b []byte, ls, le int) (span, bool) {
	end := le
	if end > ls && b[end-1] == '\r' {
		end--
	}
	if !isWrapWidth(end-ls) || le+1 >= len(b) || !base64Bytes[b[le+1]] || !allBase64(b[ls:end]) {
		return span{}, false
	}
	return span{end, le + 1}, true
}

// pendingBreak returns where a line break that b ends with begins ("\n",
// "\r\n" or a lone "\r") when the line before it is a full wrap line: the
// next byte decides whether it is a wrap break, so the view must end
// before it. It returns len(b) when there is none.
func pendingBreak(b []byte, lineStart bool) int {
	t := len(b)
	if t > 0 && b[t-1] == '\n' {
		t--
	}
	if t > 0 && b[t-1] == '\r' {
		t--
	}
	if t == len(b) {
		return len(b)
	}
	for _, w := range []int{wrapNarrow, wrapMax} {
		ls := t - w
		if ls >= 0 && (ls == 0 && lineStart || ls > 0 && b[ls-1] == '\n') && allBase64(b[ls:t]) {
			return t
		}
	}
	return len(b)
}

// wrapLineStart returns keep, or the start of the line keep lies in when
// that line may be or become a wrap line: the buffer that begins at keep
// must know the line's start, as the whole stream does. (The scans stop
// at the first byte that is not base64: a space, in ordinary text.)
func wrapLineStart(b []byte, keep int, lineStart bool) int {
	j := keep // where the base64 before keep ends
	if j > 0 && b[j-1] == '\r' {
		j--
	}
	ls := j
	for ls > 0 && j-ls <= wrapMax && base64Bytes[b[ls-1]] {
		ls--
	}
	if ls == keep || j-ls > wrapMax || !(ls == 0 && lineStart || ls > 0 && b[ls-1] == '\n') {
		return keep
	}
	e := j
	for e < len(b) && e-ls <= wrapMax && base64Bytes[b[e]] {
		e++
	}
	rest := b[e:]
	if len(rest) > 0 && rest[0] == '\r' {
		rest = rest[1:]
	}
	if e-ls > wrapMax || len(rest) > 0 && rest[0] != '\n' {
		return keep
	}
	return ls
}

// unwrap removes from view (byte i at pos[i] of the buffer) the bytes
// that lie in breaks (in order, disjoint).
func unwrap(view []byte, pos []int32, breaks []span) ([]byte, []int32) {
	n, k := 0, 0
	for i, p := range pos {
		for k < len(breaks) && int(p) >= breaks[k].end {
			k++
		}
		if k < len(breaks) && int(p) >= breaks[k].start {
			continue
		}
		view[n], pos[n] = view[i], p
		n++
	}
	return view[:n], pos[:n]
}

// cutView drops the view's bytes at or after buffer offset cut.
func cutView(view []byte, pos []int32, cut int) ([]byte, []int32) {
	i, _ := slices.BinarySearch(pos, int32(cut))
	return view[:i], pos[:i]
}
