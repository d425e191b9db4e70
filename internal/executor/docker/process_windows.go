package docker

import "os"

// processGone reports whether no process pid exists on this host: on
// Windows, finding a process opens it, which fails when it is gone.
func processGone(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return true
	}
	_ = p.Release()
	return false
}
