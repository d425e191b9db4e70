//go:build amd64 && !purego

package masker

import "golang.org/x/sys/cpu"

// haveVectorScan says whether vectorScan may be called: it needs AVX2.
// Tests turn it off to check the portable scan on the same machine.
var haveVectorScan = cpu.X86.HasAVX2

// vectorScan looks at the 32-byte blocks view[i:i+32], i+32, … while
// view[i-1] and view[i+32] exist (1 ≤ i), and returns the first block that
// holds a trigger position, with one bit per position: a head starts there,
// or the anchor is there after an allowed byte. When no full block is left
// it returns the i it stopped at and mask 0.
//
//go:noescape
func vectorScan(view []byte, i int, k *vectorKeys) (next int, mask uint32)

// nextBase64Block returns the first i' = i + 32k whose 32 bytes all lie
// in '+'..'z' (every base64 character does), or the first i' with fewer
// than 32 bytes left: where a wrapped base64 line may be (wrap.go).
//
//go:noescape
func nextBase64Block(b []byte, i int) int
