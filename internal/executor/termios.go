//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package executor

import (
	"os"

	"golang.org/x/sys/unix"
)

// rawOutput turns off the terminal's "\n" → "\r\n" translation so that
// the log has the same line ends with and without a terminal.
func rawOutput(tty *os.File) {
	t, err := unix.IoctlGetTermios(int(tty.Fd()), getTermios)
	if err != nil {
		return
	}
	t.Oflag &^= unix.ONLCR
	_ = unix.IoctlSetTermios(int(tty.Fd()), setTermios, t)
}
