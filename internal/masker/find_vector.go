package masker

// The trigger scan is the one part of masking that reads every byte. Where
// the CPU has 32-byte vector instructions (find_amd64.s), the whole trigger
// set is tested 32 positions at a time: every head (two bytes, compared at
// once), and the anchor '=' together with the byte before it, whose set is
// tested with two nibble look-ups (the "shufti" technique of Hyperscan).
// The words find.go tests one by one are then only the tail of the view.

// maxVectorHeads bounds the heads the vector scan tests (GitLab's set has
// two, "gl" and ":/"; every extra prefix with a new first pair adds one).
// A larger set falls back to the word-at-a-time scan.
const maxVectorHeads = 8

// vectorKeys is the trigger set laid out for the vector scan: every byte
// repeated across a 32-byte register. The assembly reads its fields by the
// offsets go_asm.h gives.
type vectorKeys struct {
	heads  [maxVectorHeads][2][32]byte // each head's first and second byte
	nheads int64                       // ≥ 1
	anchor [32]byte                    // the anchor's byte ('=')
	// prevLo[c&15] & prevHi[c>>4] is non-zero exactly when c is a byte
	// allowed before the anchor (each 16-byte table twice, one per lane).
	prevLo, prevHi [32]byte
}

// newVectorKeys returns the vector scan's keys for t, or nil when the scan
// cannot run here or cannot represent t: no head, more than maxVectorHeads
// heads, other than one anchor, or bytes before the anchor spread over more
// than 8 high nibbles.
func newVectorKeys(t *triggers) *vectorKeys {
	if !haveVectorScan || len(t.heads) == 0 || len(t.heads) > maxVectorHeads || len(t.anchors) != 1 {
		return nil
	}
	k := &vectorKeys{nheads: int64(len(t.heads))}
	for i, h := range t.heads {
		k.heads[i] = [2][32]byte{repeat32(h.key[0]), repeat32(h.key[1])}
	}
	a := &t.anchors[0]
	k.anchor = repeat32(a.last)
	// One bucket (bit) per high nibble that occurs: with at most eight,
	// the two look-ups test set membership exactly.
	var bucket [16]byte
	buckets := 0
	for c := range 256 {
		if !a.prev[c] {
			continue
		}
		hi, lo := c>>4, c&15
		if bucket[hi] == 0 {
			if buckets == 8 {
				return nil
			}
			bucket[hi] = 1 << buckets
			buckets++
		}
		k.prevLo[lo] |= bucket[hi]
		k.prevLo[16+lo] |= bucket[hi]
	}
	for hi := range 16 {
		k.prevHi[hi], k.prevHi[16+hi] = bucket[hi], bucket[hi]
	}
	return k
}

func repeat32(c byte) (r [32]byte) {
	for i := range r {
		r[i] = c
	}
	return r
}
