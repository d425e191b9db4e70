//go:build !unix

package masker

import "time"

// processCPU is not measured on this platform: no CPU-time metric.
func processCPU() time.Duration { return 0 }
