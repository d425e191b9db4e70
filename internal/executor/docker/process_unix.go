//go:build unix

package docker

import (
	"errors"
	"syscall"
)

// processGone reports whether no process pid exists on this host (signal
// 0 checks without sending anything).
func processGone(pid int) bool { return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) }
