//go:build !amd64 || purego

package masker

// haveVectorScan is false: there is no vector scan for this architecture
// (or the build asked for pure Go), and find.go's word-at-a-time scan does
// all the work.
var haveVectorScan = false

// vectorScan is never called where haveVectorScan is false; should it be,
// it scans nothing and leaves every position to the portable scan.
func vectorScan(view []byte, i int, k *vectorKeys) (next int, mask uint32) { return i, 0 }

// nextBase64Block is never called where haveVectorScan is false; should
// it be, it finds no block.
func nextBase64Block(b []byte, i int) int { return len(b) }
