//go:build !unix

package client_test

import "time"

// cpuTime is not measured where there is no getrusage: the CPU figures of
// the benchmarks read zero there.
func cpuTime() time.Duration { return 0 }
