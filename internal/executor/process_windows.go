package executor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// attach connects the child's stdout and stderr to one pipe. Windows has
// no pseudo-terminal that a job could be given here.
func (p *process) attach() (io.ReadCloser, func(), error) {
	if p.tty {
		return nil, nil, errors.New("a terminal for the job is not supported on Windows: run without one")
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("creating the output pipe: %w", err)
	}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	p.cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
	return r, func() { w.Close() }, nil
}

// terminateGroup stops the shell: Windows has no SIGTERM to send, so the
// grace period is not given.
func (p *process) terminateGroup() { _ = p.cmd.Process.Kill() }

// killGroup ends the shell. Children it started in the background are
// not ended with it on Windows (that would need a job object).
func (p *process) killGroup() { _ = p.cmd.Process.Kill() }
