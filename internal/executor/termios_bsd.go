//go:build darwin || dragonfly || freebsd || netbsd || openbsd

package executor

import "golang.org/x/sys/unix"

// The BSDs name Linux's TCGETS and TCSETS TIOCGETA and TIOCSETA.
const getTermios, setTermios = unix.TIOCGETA, unix.TIOCSETA
