//go:build unix

package executor

import (
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/creack/pty"
)

// attach connects the child's stdout and stderr to one pipe or one
// pseudo-terminal and returns the parent's read end plus a function that
// closes the child's end in the parent.
func (p *process) attach() (io.ReadCloser, func(), error) {
	if p.tty {
		ptmx, tty, err := pty.Open()
		if err != nil {
			return nil, nil, fmt.Errorf("opening a terminal: %w", err)
		}
		rawOutput(tty)
		p.cmd.Stdin, p.cmd.Stdout, p.cmd.Stderr = tty, tty, tty
		// A new session with the terminal as its controlling tty; the
		// session leader's pid is also its process group id.
		p.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		return ptmx, func() { tty.Close() }, nil
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("creating the output pipe: %w", err)
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w // nil Stdin is /dev/null: a job never waits for input
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return r, func() { w.Close() }, nil
}

// terminateGroup asks every process of the job's group to stop.
func (p *process) terminateGroup() { _ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM) }

// killGroup ends every process of the job's group.
func (p *process) killGroup() { _ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL) }
