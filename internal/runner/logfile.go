package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// LogFile is one job's log under .jobrun/logs/<pipeline>/<job>.log. It is
// written to a temporary file beside its final name and renamed into
// place on Close, so an interrupt never leaves a half-written log and a
// failed run never clobbers the previous one with a fragment.
type LogFile struct {
	f     *os.File
	final string
	done  bool
}

// LogPath is where the log of job in pipeline lives below root (the
// project directory).
func LogPath(root, pipeline, job string) string {
	return filepath.Join(root, ".jobrun", "logs", safeName(pipeline), safeName(job)+".log")
}

// CreateLogFile starts the log file of job in pipeline below root.
func CreateLogFile(root, pipeline, job string) (*LogFile, error) {
	final := LogPath(root, pipeline, job)
	if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
		return nil, fmt.Errorf("creating the log directory: %w", err)
	}
	// CreateTemp makes the file with mode 0600.
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("creating the log of %s: %w", job, err)
	}
	return &LogFile{f: f, final: final}, nil
}

// Path is the log's final path.
func (l *LogFile) Path() string { return l.final }

func (l *LogFile) Write(p []byte) (int, error) { return l.f.Write(p) }

// Close moves the log to its final name.
func (l *LogFile) Close() error {
	if l.done {
		return nil
	}
	l.done = true
	// No fsync: the rename is what keeps a reader from ever seeing half
	// a log after an interrupt, and an fsync per job would cost more
	// than running a short job.
	err := l.f.Close()
	if err == nil {
		err = os.Rename(l.f.Name(), l.final)
	}
	if err != nil {
		_ = os.Remove(l.f.Name())
		return fmt.Errorf("writing %s: %w", l.final, err)
	}
	return nil
}

// Abort drops the log without touching the previous one.
func (l *LogFile) Abort() error {
	if l.done {
		return nil
	}
	l.done = true
	_ = l.f.Close()
	return os.Remove(l.f.Name())
}

// safeName makes a job or pipeline name usable as one file name: job
// names may hold slashes, colons and brackets (`build: [linux, amd64]`).
func safeName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ':' || r < 0x20 || r == 0x7f:
			return '_'
		}
		return r
	}, s)
	if s == "" || strings.HasPrefix(s, ".") {
		s = "_" + s
	}
	return s
}
