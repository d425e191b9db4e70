package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// process runs one shell in its own process group with stdout and stderr
// on ONE pipe (or one terminal): the kernel keeps the order in which the
// shell and its children wrote, and a line written in one write(2) is
// never split by another writer's bytes.
type process struct {
	cmd   *exec.Cmd
	grace time.Duration
	tty   bool
}

func (p *process) run(ctx context.Context, out io.Writer) (int, error) {
	reader, closeChildEnd, err := p.attach()
	if err != nil {
		return -1, err
	}
	if err := p.cmd.Start(); err != nil {
		closeChildEnd()
		reader.Close()
		return -1, fmt.Errorf("starting %s: %w", p.cmd.Path, err)
	}
	// Only the child may hold the write end now, so the reader sees EOF
	// exactly when the last process of the job closes it.
	closeChildEnd()

	copied := make(chan error, 1)
	go func() { copied <- drain(out, reader) }()

	waited := make(chan struct{})
	go p.stopOnDone(ctx, waited)
	waitErr := p.cmd.Wait()
	close(waited)
	// Children the script left behind (`sleep 600 &`) would keep the
	// output open and outlive the job: end the whole group.
	p.killGroup()
	copyErr := <-copied
	reader.Close()

	code := exitCode(p.cmd.ProcessState)
	if waitErr != nil && code == -1 {
		return -1, fmt.Errorf("waiting for the shell: %w", waitErr)
	}
	if copyErr != nil {
		return code, fmt.Errorf("streaming the job output: %w", copyErr)
	}
	return code, nil
}

// stopOnDone ends the process group when ctx is done: first politely
// (SIGTERM where there are signals) so that programs can clean up, then
// for good when the grace period is over.
func (p *process) stopOnDone(ctx context.Context, waited <-chan struct{}) {
	select {
	case <-waited:
		return
	case <-ctx.Done():
	}
	p.terminateGroup()
	timer := time.NewTimer(p.grace)
	defer timer.Stop()
	select {
	case <-waited:
	case <-timer.C:
		p.killGroup()
	}
}

// drain copies the job's output until every writer has closed it. A
// terminal reports its end as EIO, which is not an error here.
func drain(out io.Writer, r io.Reader) error {
	_, err := io.Copy(out, r)
	if errors.Is(err, syscall.EIO) || errors.Is(err, os.ErrClosed) {
		return nil
	}
	return err
}

// exitCode is the shell's exit status, or 128+signal when a signal ended
// it, as shells report it.
func exitCode(ps *os.ProcessState) int {
	if ps == nil {
		return -1
	}
	if ws, ok := ps.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ps.ExitCode()
}
