package masker

import (
	"encoding/binary"
	"math/bits"
)

// index is a multimap from a uint64 key (a few bytes of text packed into an
// integer) to needle ids, with a blocked Bloom filter in front of it so
// that most keys of ordinary text are rejected with one multiply and one
// load: each key sets two bits of one 64-bit word (two bits cut the false
// positives, and with them the cache misses in the buckets behind, by
// about three at the same size; one word keeps it to one load). It is
// built once per set of needles and only read while masking.
type index struct {
	filter     []uint64 // word h>>(64-filterBits+6) has both bits of bitPair(h) set for every key
	filterBits uint
	heads      []int32 // bucket → first entry, -1 when empty
	headBits   uint
	entries    []indexEntry
}

type indexEntry struct {
	key  uint64
	next int32
	id   int32 // needle id
	off  int32 // where the key's bytes start inside the needle
}

const hashMul = 0x9E3779B97F4A7C15 // Fibonacci hashing: the top bits are well mixed

// add records that needle id contains key at offset off. Call build after
// the last add.
func (x *index) add(key uint64, id, off int) {
	x.entries = append(x.entries, indexEntry{key: key, next: -1, id: int32(id), off: int32(off)})
}

// build sizes the filter (~8 bits per entry: staying in cache matters more
// than its false positives) and the buckets (~2 per entry) to the number
// of entries, so that a masker with one secret stays small.
func (x *index) build() {
	n := len(x.entries)
	x.filterBits = uint(max(10, min(24, bits.Len(uint(n*8)))))
	x.headBits = uint(max(4, min(24, bits.Len(uint(n*2)))))
	x.filter = make([]uint64, (1<<x.filterBits)/64)
	x.heads = make([]int32, 1<<x.headBits)
	for i := range x.heads {
		x.heads[i] = -1
	}
	for i := range x.entries {
		h := x.entries[i].key * hashMul
		x.filter[h>>(64-x.filterBits+6)] |= bitPair(h)
		b := h >> (64 - x.headBits)
		x.entries[i].next = x.heads[b]
		x.heads[b] = int32(i)
	}
}

// bitPair returns the two filter bits of a hash, taken from its middle
// (the low bits of a product are poorly mixed; the top ones pick the word).
func bitPair(h uint64) uint64 {
	return 1<<(h>>24&63) | 1<<(h>>30&63)
}

// first returns the first entry for key, or -1; follow entries[i].next and
// compare keys to see the others.
func (x *index) first(key uint64) int32 {
	if len(x.heads) == 0 {
		return -1
	}
	h := key * hashMul
	if b := bitPair(h); x.filter[h>>(64-x.filterBits+6)]&b != b {
		return -1
	}
	return x.heads[h>>(64-x.headBits)]
}

// load packs the g bytes at b[0:g] (g ≤ 8) into a key.
func load(b []byte, g int) uint64 {
	switch g {
	case 8:
		return binary.LittleEndian.Uint64(b)
	case 4:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	var k uint64
	for i := g - 1; i >= 0; i-- {
		k = k<<8 | uint64(b[i])
	}
	return k
}

// prefixKey packs a prefix of fewer than 8 bytes together with its length,
// so that "ab" and "ab\x00" are different keys.
func prefixKey(b []byte) uint64 {
	return load(b, len(b)) | uint64(len(b))<<56
}
