package masker

import (
	"bytes"
	"encoding/binary"
)

// matcher finds every occurrence of a fixed set of needles in a buffer, and
// tells which tail of a buffer could still grow into one. It is the
// streaming engine's search half and knows nothing about secrets, encodings
// or policy (Buildkite's replacer/redact split).
//
// Search is a sampled q-gram filter with exact confirmation: needles are
// grouped in bands by length; in a band whose shortest needle has m bytes
// and whose gram has q bytes, every occurrence contains a gram starting at
// a multiple of step = m-q+1, so only every step-th position of the text
// is hashed. The grams of each needle's first step offsets are indexed,
// so a hit names the needle and where its occurrence would start.
type matcher struct {
	needles     [][]byte
	bands       []band
	starts8     index // the first 8 bytes of every needle of 8 or more bytes
	startsShort index // every proper prefix of 1–7 bytes of every needle
	// starts2 has bit n[0]|n[1]<<8 set for every needle n of 3 or more
	// bytes: partial tests it before looking a tail up, as most tails of
	// ordinary text begin with a pair no needle begins with.
	starts2 [1 << 16 / 64]uint64
	maxLen  int
	// tailReach: a tail of text this long or longer that begins a needle
	// holds a sampled gram at one of the needle's indexed offsets, so the
	// search finds it (see find); partial looks at shorter tails only.
	tailReach int
}

type band struct {
	gram, step int
	idx        index
}

// longNeedle is where the 8-gram band starts; shorter needles (GitLab
// masked values of 4–7 bytes and their encodings) get a band of their own
// with a shorter gram, so that they do not slow the common case down.
const longNeedle = 16

// maxStep caps the sampling step of a band (see newBand).
const maxStep = 64

// span is a half-open byte range [start, end) of a buffer.
type span struct{ start, end int }

func newMatcher(needles [][]byte) *matcher {
	m := &matcher{needles: needles}
	var short, long []int
	for id, n := range needles {
		m.maxLen = max(m.maxLen, len(n))
		if len(n) >= longNeedle {
			long = append(long, id)
		} else {
			short = append(short, id)
		}
		if len(n) >= 8 {
			m.starts8.add(load(n, 8), id, 0)
		}
		if len(n) >= 3 {
			m.starts2[pair(n)/64] |= 1 << (pair(n) % 64)
		}
		for k := 1; k < min(8, len(n)); k++ {
			m.startsShort.add(prefixKey(n[:k]), id, 0)
		}
	}
	m.starts8.build()
	m.startsShort.build()
	for _, ids := range [][]int{short, long} {
		if len(ids) > 0 {
			b := m.newBand(ids)
			m.bands = append(m.bands, b)
			m.tailReach = max(m.tailReach, b.step+b.gram-1)
		}
	}
	return m
}

func (m *matcher) newBand(ids []int) band {
	shortest := len(m.needles[ids[0]])
	for _, id := range ids {
		shortest = min(shortest, len(m.needles[id]))
	}
	b := band{gram: min(8, shortest)}
	if b.gram > 4 && b.gram < 8 {
		b.gram = 4 // 4 and 8 bytes load in one instruction
	}
	// A long shortest needle would allow a long step, but every needle
	// has step grams indexed (below): capping it keeps the index small
	// for huge secrets (a 500 KB key) at a cost of one sample per
	// maxStep bytes of text.
	b.step = min(shortest-b.gram+1, maxStep)
	// The search samples every step-th position of the text, so the first
	// sample inside an occurrence lies within its first step bytes: only
	// the grams at those offsets need indexing. (Indexing every offset
	// cost memory in proportion to the needle: 24 bytes per byte of
	// every form of a 500 KB secret.)
	for _, id := range ids {
		n := m.needles[id]
		for off := 0; off < b.step && off+b.gram <= len(n); off++ {
			b.idx.add(load(n[off:], b.gram), id, off)
		}
	}
	b.idx.build()
	return b
}

// find appends the span of every occurrence of every needle in text to
// spans (in no particular order, possibly twice) and returns it, with
// the first tail of text that begins a needle and is found on the way
// (every such tail of tailReach bytes or more is), or len(text): pass it
// to partial.
func (m *matcher) find(text []byte, spans []span) ([]span, int) {
	tail := len(text)
	for i := range m.bands {
		spans = m.bands[i].find(m.needles, text, spans, &tail)
	}
	return spans, tail
}

func (b *band) find(needles [][]byte, text []byte, spans []span, tail *int) []span {
	g, step, x := b.gram, b.step, &b.idx
	if g != 8 || len(x.heads) == 0 {
		for p := 0; p+g <= len(text); p += step {
			spans = x.confirm(needles, text, p, load(text[p:], g), spans, tail)
		}
		return spans
	}
	for p := 0; ; p += step {
		if p = x.nextHit(text, p, step); p+8 > len(text) {
			return spans
		}
		spans = x.confirm(needles, text, p, binary.LittleEndian.Uint64(text[p:]), spans, tail)
	}
}

// nextHit returns the first p' = p + k·step whose 8-gram passes the
// filter, or the first one too close to the end of text. The common case
// — one load, one multiply and one filter load per sample — is a function
// of its own, not inlined, so that the compiler keeps its loop in
// registers (inlined, it spilled the hash to the stack).
//
//go:noinline
func (x *index) nextHit(text []byte, p, step int) int {
	filter, shift := x.filter, (64-x.filterBits+6)&63 // (the mask spares a check)
	for ; p+8 <= len(text); p += step {
		h := binary.LittleEndian.Uint64(text[p:]) * hashMul
		if f := bitPair(h); filter[h>>shift]&f == f {
			return p
		}
	}
	return p
}

// confirm appends the span of every needle that has key at text[p:] and
// occurs there in full; a needle that runs past the end of text, whose
// part inside it matches, lowers *tail to where it starts.
func (x *index) confirm(needles [][]byte, text []byte, p int, key uint64, spans []span, tail *int) []span {
	for e := x.first(key); e >= 0; e = x.entries[e].next {
		en := &x.entries[e]
		if en.key != key {
			continue
		}
		n := needles[en.id]
		start := p - int(en.off)
		switch {
		case start < 0:
		case start+len(n) > len(text):
			if start < *tail && bytes.Equal(text[start:], n[:len(text)-start]) {
				*tail = start
			}
		case bytes.Equal(text[start:start+len(n)], n):
			spans = append(spans, span{start, start + len(n)})
		}
	}
	return spans
}

// partial returns the first position s such that text[s:] holds at least
// minLen bytes and is a proper prefix of some needle — the start of an
// occurrence that more text could complete — or len(text) if none. found
// is what find returned for the same text: it holds every such tail of
// tailReach bytes or more, so only the shorter ones are looked at here.
func (m *matcher) partial(text []byte, minLen, found int) int {
	n := len(text)
	best := n
	if found < n && n-found >= minLen {
		best = found
	}
	for s := max(n-min(m.maxLen, m.tailReach)+1, 0); s < best && s <= n-max(minLen, 1); s++ {
		if s+2 <= n {
			if p := pair(text[s:]); m.starts2[p/64]&(1<<(p%64)) == 0 {
				continue
			}
		}
		if m.isPrefix(text[s:]) {
			return s
		}
	}
	return best
}

// pair packs the first two bytes of b.
func pair(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

// isPrefix reports whether t is a proper prefix of some needle.
func (m *matcher) isPrefix(t []byte) bool {
	x, key := &m.startsShort, uint64(0)
	if len(t) >= 8 {
		x, key = &m.starts8, load(t, 8)
	} else {
		key = prefixKey(t)
	}
	for e := x.first(key); e >= 0; e = x.entries[e].next {
		en := &x.entries[e]
		if en.key != key {
			continue
		}
		if n := m.needles[en.id]; len(n) > len(t) && bytes.Equal(n[:len(t)], t) {
			return true
		}
	}
	return false
}
