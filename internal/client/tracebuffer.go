package client

import (
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"os"
)

// traceBuffer keeps every byte of a job's trace, because GitLab may ask
// for any of it again (416 resync, 412 full resend). It holds the first
// memLimit bytes in memory and moves everything to an unlinked 0600 temp
// file beyond that, so memory stays bounded for logs of hundreds of MiB
// and nothing is left on disk even if jobrun dies. Not safe for concurrent
// use: Trace serialises access.
type traceBuffer struct {
	mem      []byte
	memLimit int
	tempDir  string

	file *os.File
	path string // set when the file could not be unlinked while open
	w    *bufio.Writer

	size int64
	crc  uint32
}

func newTraceBuffer(memLimit int, tempDir string) *traceBuffer {
	return &traceBuffer{memLimit: memLimit, tempDir: tempDir}
}

func (b *traceBuffer) Write(p []byte) (int, error) {
	if b.file == nil && len(b.mem)+len(p) > b.memLimit {
		if err := b.spill(); err != nil {
			return 0, err
		}
	}
	if b.file != nil {
		if _, err := b.w.Write(p); err != nil {
			return 0, fmt.Errorf("trace spill file: %w", err)
		}
	} else {
		b.mem = append(b.mem, p...)
	}
	b.size += int64(len(p))
	b.crc = crc32.Update(b.crc, crc32.IEEETable, p)
	return len(p), nil
}

// spill moves the in-memory bytes to a temporary file. The file is
// created with mode 0600 and unlinked at once: only this process can
// reach it, and it disappears when closed.
func (b *traceBuffer) spill() error {
	f, err := os.CreateTemp(b.tempDir, "jobrun-trace-*")
	if err != nil {
		return fmt.Errorf("trace spill file: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		// Windows cannot unlink an open file: remove it on Close instead.
		b.path = f.Name()
	}
	b.file, b.w = f, bufio.NewWriterSize(f, 256<<10)
	if _, err := b.w.Write(b.mem); err != nil {
		return fmt.Errorf("trace spill file: %w", err)
	}
	b.mem = nil
	return nil
}

// ReadAt copies bytes from offset off into p; it returns io.EOF when p
// reaches past the end.
func (b *traceBuffer) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > b.size {
		return 0, fmt.Errorf("trace offset %d outside 0-%d", off, b.size)
	}
	if b.file == nil {
		n := copy(p, b.mem[off:])
		if n < len(p) {
			return n, io.EOF
		}
		return n, nil
	}
	if err := b.w.Flush(); err != nil {
		return 0, fmt.Errorf("trace spill file: %w", err)
	}
	return b.file.ReadAt(p, off)
}

// Close releases the spill file, which removes it from disk.
func (b *traceBuffer) Close() error {
	b.mem = nil
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	if b.path != "" {
		if rerr := os.Remove(b.path); err == nil {
			err = rerr
		}
	}
	return err
}
