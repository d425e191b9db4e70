package masker

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// Finding triggers is the one part of masking that must look at every
// byte (the needles are sampled). Where the CPU has AVX2, the vector scan
// (find_vector.go) tests 32 positions at a time and this file's loops see
// only the last few bytes of a view; elsewhere they read the text a word
// (8 bytes) at a time and test all trigger keys at once with the
// zero-byte trick. Only the bytes where a key may start or end are looked
// at one by one.

const (
	lowBits  = 0x0101010101010101
	highBits = 0x8080808080808080
)

func repeat(c byte) uint64 { return lowBits * uint64(c) }

// maybeZero is non-zero when some byte of v is zero (cheaper than
// zeroBytes, it may also flag bytes above a zero byte).
func maybeZero(v uint64) uint64 { return (v - lowBits) &^ v & highBits }

// maybeZero3 is maybeZero(a) | maybeZero(b) | maybeZero(c), with one mask.
func maybeZero3(a, b, c uint64) uint64 {
	return ((a-lowBits)&^a | (b-lowBits)&^b | (c-lowBits)&^c) & highBits
}

// zeroBytes has the high bit set in exactly the bytes of v that are zero.
func zeroBytes(v uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((v&low7 + low7) | v) & highBits
}

// find appends the values found after triggers in view, and says what a
// URL whose authority has not ended yet needs kept (see pending).
func (t *triggers) find(view []byte, final bool, out []patternSpan) ([]patternSpan, pending) {
	hold := pending{keep: len(view), hold: len(view)}
	i := 0
	if t.vec != nil && len(view) > 33 {
		// Position 0 has no byte before it for the vector scan to load.
		out, hold = t.at(view, 0, final, out, hold)
		i = 1
		for {
			var mask uint32
			if i, mask = vectorScan(view, i, t.vec); mask == 0 {
				break
			}
			for ; mask != 0; mask &= mask - 1 {
				out, hold = t.at(view, i+bits.TrailingZeros32(mask), final, out, hold)
			}
			i += 32
		}
	} else if t.isDefaultSet() {
		for {
			if i = nextDefault(view, i, &t.anchors[0].prev); i+9 > len(view) {
				break
			}
			out, hold = t.word(view, i, final, out, hold)
			i += 8
		}
	}
	for ; i+9 <= len(view); i += 8 {
		x := binary.LittleEndian.Uint64(view[i:])
		y := binary.LittleEndian.Uint64(view[i+1:]) // the byte after each byte of x
		var z uint64
		for k := range t.heads {
			z |= maybeZero((x ^ t.heads[k].rep0) | (y ^ t.heads[k].rep1))
		}
		for k := range t.anchors {
			z |= maybeZero(x ^ t.anchors[k].rep)
		}
		if z != 0 {
			out, hold = t.word(view, i, final, out, hold)
		}
	}
	for p := i; p < len(view); p++ {
		out, hold = t.at(view, p, final, out, hold)
	}
	return out, hold
}

// The default set's keys: heads "gl" (GitLab's token prefixes) and ":/"
// ("://"), and the anchor '=' (query parameters, _gitlab_session=), each
// repeated in every byte of a word. As constants they cost the scan loop
// no register: the compiler spilled and reloaded them when they were
// variables.
const (
	keyG, keyL         = lowBits * 'g', lowBits * 'l'
	keyColon, keySlash = lowBits * ':', lowBits * '/'
	keyEquals          = lowBits * '='
)

// isDefaultSet reports whether the heads and anchors are exactly the
// default set's (no extra prefix with keys of its own).
func (t *triggers) isDefaultSet() bool {
	return len(t.heads) == 2 && t.heads[0].key == [2]byte{'g', 'l'} && t.heads[1].key == [2]byte{':', '/'} &&
		len(t.anchors) == 1 && t.anchors[0].last == '='
}

// nextDefault returns the first i' = i + 8k whose word view[i':i'+8] holds
// a key of the default set (for '=', after one of prev's bytes), or the
// first one too close to the end of view to load two words. It is a
// function of its own, not inlined, so that its loop stays in registers.
//
//go:noinline
func nextDefault(view []byte, i int, prev *[256]bool) int {
	for ; i+17 <= len(view); i += 16 { // two words at a time: half the loop's overhead
		w := view[i : i+17 : i+17]
		x1, y1 := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[1:])
		x2, y2 := binary.LittleEndian.Uint64(w[8:]), binary.LittleEndian.Uint64(w[9:])
		z1 := maybeZero3((x1^keyG)|(y1^keyL), (x1^keyColon)|(y1^keySlash), x1^keyEquals)
		z2 := maybeZero3((x2^keyG)|(y2^keyL), (x2^keyColon)|(y2^keySlash), x2^keyEquals)
		if z1|z2 == 0 {
			continue
		}
		if z1 != 0 && holdsDefault(view, i, prev) {
			return i
		}
		if z2 != 0 && holdsDefault(view, i+8, prev) {
			return i + 8
		}
	}
	for ; i+9 <= len(view); i += 8 {
		w := view[i : i+9 : i+9]
		x, y := binary.LittleEndian.Uint64(w), binary.LittleEndian.Uint64(w[1:])
		if maybeZero3((x^keyG)|(y^keyL), (x^keyColon)|(y^keySlash), x^keyEquals) != 0 && holdsDefault(view, i, prev) {
			return i
		}
	}
	return i
}

// holdsDefault reports whether the word at view[i:] holds a head, or an
// '=' after one of prev's bytes: most words nextDefault flags hold only
// the '=' of "=>" or "KEY=value", which a look at the byte before rules
// out here, without a call to word and at.
func holdsDefault(view []byte, i int, prev *[256]bool) bool {
	x := binary.LittleEndian.Uint64(view[i:])
	y := binary.LittleEndian.Uint64(view[i+1:])
	if zeroBytes((x^keyG)|(y^keyL))|zeroBytes((x^keyColon)|(y^keySlash)) != 0 {
		return true
	}
	for z := zeroBytes(x ^ keyEquals); z != 0; z &= z - 1 {
		if p := i + bits.TrailingZeros64(z)>>3; p > 0 && prev[view[p-1]] {
			return true
		}
	}
	return false
}

// word handles the 8 bytes at view[i:] of a word that may hold a key.
// An anchor's last byte ('=') is common in logs ("=>", "KEY=value"), so
// its byte before is checked here, with one table look-up, before the
// position costs a call to at.
func (t *triggers) word(view []byte, i int, final bool, out []patternSpan, hold pending) ([]patternSpan, pending) {
	x := binary.LittleEndian.Uint64(view[i:])
	y := binary.LittleEndian.Uint64(view[i+1:])
	var z uint64
	for k := range t.heads {
		z |= zeroBytes((x ^ t.heads[k].rep0) | (y ^ t.heads[k].rep1))
	}
	for k := range t.anchors {
		a := &t.anchors[k]
		for za := zeroBytes(x ^ a.rep); za != 0; za &= za - 1 {
			bit := za & -za
			if p := i + bits.TrailingZeros64(za)>>3; p > 0 && a.prev[view[p-1]] {
				z |= bit
			}
		}
	}
	for ; z != 0; z &= z - 1 {
		out, hold = t.at(view, i+bits.TrailingZeros64(z)>>3, final, out, hold)
	}
	return out, hold
}

// at handles the triggers that start (heads) or end (anchors) at view[p].
func (t *triggers) at(view []byte, p int, final bool, out []patternSpan, hold pending) ([]patternSpan, pending) {
	c := view[p]
	for hi := range t.heads {
		h := &t.heads[hi]
		if c != h.key[0] || p+1 >= len(view) || view[p+1] != h.key[1] {
			continue
		}
		for _, id := range h.ids {
			if tr := &t.list[id]; bytes.HasPrefix(view[p:], tr.text) {
				out, hold = t.value(view, p, p+len(tr.text), tr.kind, final, out, hold)
			}
		}
	}
	for ai := range t.anchors {
		a := &t.anchors[ai]
		if c != a.last || p == 0 || !a.prev[view[p-1]] {
			continue
		}
		for _, id := range a.ids {
			tr := &t.list[id]
			if start := p + 1 - len(tr.text); start >= 0 && tr.matches(view[start:p+1]) {
				out, hold = t.value(view, start, p+1, tr.kind, final, out, hold)
			}
		}
	}
	return out, hold
}
