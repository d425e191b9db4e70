package masker

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// triggerAlphabet is dense in what the trigger scans look for: the bytes of
// every head and of '=' with the bytes allowed before it, their neighbours
// in the nibble tables (o, M, d, \xce…), and bytes with the high bit set.
const triggerAlphabet = "gl:/=nNeElLoMdfk_-ghp xo\xce\xe5\x6c\x4c\x3d\x80\xff\x00\n"

// scalarTriggerPositions is what the vector scan must flag, by definition:
// positions where a head starts, or where the anchor follows an allowed
// byte.
func scalarTriggerPositions(t *triggers, view []byte) []int {
	var out []int
	for p := 1; p+1 < len(view); p++ {
		hit := false
		for _, h := range t.heads {
			hit = hit || view[p] == h.key[0] && view[p+1] == h.key[1]
		}
		a := &t.anchors[0]
		hit = hit || view[p] == a.last && a.prev[view[p-1]]
		if hit {
			out = append(out, p)
		}
	}
	return out
}

func vectorTriggerPositions(k *vectorKeys, view []byte) (found []int, scanned int) {
	i := 1
	for {
		var mask uint32
		if i, mask = vectorScan(view, i, k); mask == 0 {
			return found, i
		}
		for b := 0; b < 32; b++ {
			if mask&(1<<b) != 0 {
				found = append(found, i+b)
			}
		}
		i += 32
	}
}

// TestVectorScanFlagsExactlyTheTriggers compares the vector scan's flags
// with the definition, for the default set and for sets with extra
// prefixes, over random text made of the bytes that matter.
func TestVectorScanFlagsExactlyTheTriggers(t *testing.T) {
	if !haveVectorScan {
		t.Log("no vector scan on this CPU: the portable scan is the only one (tested everywhere)")
		return
	}
	sets := map[string][]string{
		"default":     nil,
		"two extra":   {"ghp_", "xoxb-"},
		"eight heads": {"ghp_", "xoxb-", "ab", "cd", "ef", "AKIA"}, // gl, :/ and six more
	}
	r := rand.New(rand.NewPCG(7, 8))
	for name, prefixes := range sets {
		t.Run(name, func(t *testing.T) {
			tr := New(nil, Options{Prefixes: prefixes}).trig
			if tr.vec == nil {
				t.Fatalf("%d heads: want the vector scan", len(tr.heads))
			}
			for n := 0; n < 2000; n++ {
				view := make([]byte, r.IntN(300))
				for i := range view {
					view[i] = triggerAlphabet[r.IntN(len(triggerAlphabet))]
				}
				got, scanned := vectorTriggerPositions(tr.vec, view)
				if len(view) > 33 && scanned+33 <= len(view) {
					t.Fatalf("stopped at %d of %d with a full block left", scanned, len(view))
				}
				var want []int
				for _, p := range scalarTriggerPositions(tr, view) {
					if p < scanned {
						want = append(want, p)
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("view %q:\n got %v\nwant %v", view, got, want)
				}
			}
		})
	}
}

// TestVectorKeysNibbleSet checks the two nibble tables against the set
// they stand for, for random sets, and that a set spread over more than
// eight high nibbles is refused rather than approximated.
func TestVectorKeysNibbleSet(t *testing.T) {
	if !haveVectorScan {
		t.Log("no vector scan on this CPU")
		return
	}
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n < 500; n++ {
		tr := &triggers{heads: []head{{key: [2]byte{'g', 'l'}}}, anchors: []anchor{{last: '='}}}
		nibbles := map[int]bool{}
		for range 1 + r.IntN(12) {
			c := r.IntN(256)
			tr.anchors[0].prev[c] = true
			nibbles[c>>4] = true
		}
		k := newVectorKeys(tr)
		if len(nibbles) > 8 {
			if k != nil {
				t.Fatalf("%d high nibbles: want no vector keys", len(nibbles))
			}
			continue
		}
		for c := range 256 {
			in := k.prevLo[c&15]&k.prevHi[c>>4] != 0
			if in != tr.anchors[0].prev[c] || k.prevLo[16+c&15] != k.prevLo[c&15] || k.prevHi[16+c>>4] != k.prevHi[c>>4] {
				t.Fatalf("byte %#x: tables say %v, set says %v", c, in, tr.anchors[0].prev[c])
			}
		}
	}
	many := New(nil, Options{Prefixes: []string{"a1", "b1", "c1", "d1", "e1", "f1", "g1"}}).trig
	if len(many.heads) != 9 || many.vec != nil {
		t.Fatalf("%d heads: want the portable scan", len(many.heads))
	}
}

// TestVectorAndPortableFindAgree runs the whole trigger search (values,
// what is kept and held) both ways over text dense in triggers and values.
func TestVectorAndPortableFindAgree(t *testing.T) {
	if !haveVectorScan {
		t.Log("no vector scan on this CPU")
		return
	}
	pieces := []string{"glpat-", "gldt-", "ghp_", "://", "https://u:p@h/", "private_token=", "X-Amz-Signature=",
		"_gitlab_session=", "=", "n=", "abc", "tok3n", " ", "&", "\n", "@", ":", "gl", "g", "l"}
	r := rand.New(rand.NewPCG(5, 6))
	for _, prefixes := range [][]string{nil, {"ghp_"}} {
		vec := New(nil, Options{Prefixes: prefixes}).trig
		portable := *vec
		portable.vec = nil
		for n := 0; n < 3000; n++ {
			var view []byte
			for len(view) < r.IntN(400) {
				view = append(view, pieces[r.IntN(len(pieces))]...)
			}
			for _, final := range []bool{false, true} {
				gotSpans, gotHold := vec.find(view, final, nil)
				wantSpans, wantHold := portable.find(view, final, nil)
				if !slices.Equal(gotSpans, wantSpans) || gotHold != wantHold {
					t.Fatalf("prefixes %v final %v view %q:\n vector   %v %v\n portable %v %v", prefixes, final, view, gotSpans, gotHold, wantSpans, wantHold)
				}
			}
		}
	}
}

// FuzzTriggerScan: for any text, the vector scan and the portable scan find
// the same values and ask for the same bytes to be kept and held.
func FuzzTriggerScan(f *testing.F) {
	f.Add([]byte("x glpat-abc https://u:pw@h/?private_token=q&X-AMZ-CREDENTIAL=z _gitlab_session=s ghp_t"), false)
	f.Add([]byte("==============================n=e=l=N=E=L=:/:/:/glglglgl"), true)
	f.Fuzz(func(t *testing.T, view []byte, final bool) {
		if !haveVectorScan {
			return
		}
		for _, prefixes := range [][]string{nil, {"ghp_"}} {
			vec := New(nil, Options{Prefixes: prefixes}).trig
			portable := *vec
			portable.vec = nil
			gotSpans, gotHold := vec.find(view, final, nil)
			wantSpans, wantHold := portable.find(view, final, nil)
			if !slices.Equal(gotSpans, wantSpans) || gotHold != wantHold {
				t.Fatalf("prefixes %v view %q:\n vector   %v %v\n portable %v %v", prefixes, view, gotSpans, gotHold, wantSpans, wantHold)
			}
		}
	})
}

// TestNextBase64BlockMatchesDefinition checks the vector search for blocks
// of '+'..'z' bytes against the definition, on text where such blocks are
// common and their edges (the bytes just outside the range) too.
func TestNextBase64BlockMatchesDefinition(t *testing.T) {
	if !haveVectorScan {
		t.Log("no vector scan on this CPU")
		return
	}
	const alphabet = "AZaz09+/-_=*,{|\x80\xff \n" // in range, and just outside it
	inRange := func(b []byte) bool {
		for _, c := range b {
			if c < '+' || c > 'z' {
				return false
			}
		}
		return true
	}
	r := rand.New(rand.NewPCG(11, 12))
	for n := 0; n < 3000; n++ {
		b := make([]byte, r.IntN(300))
		outside := r.IntN(200) + 1 // one byte in `outside` is out of range, on average
		for i := range b {
			b[i] = alphabet[r.IntN(10)]
			if r.IntN(outside) == 0 {
				b[i] = alphabet[10+r.IntN(len(alphabet)-10)]
			}
		}
		from := r.IntN(40)
		want := from
		for ; want+32 <= len(b) && !inRange(b[want:want+32]); want += 32 {
		}
		if want+32 > len(b) {
			want = max(want, from)
		}
		if got := nextBase64Block(b, from); got != want && !(got+32 > len(b) && want+32 > len(b)) {
			t.Fatalf("b %q from %d: got %d, want %d", b, from, got, want)
		}
	}
}
