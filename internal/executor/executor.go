// Package executor runs a job's scripts somewhere: on this host in a shell
// (the shell executor in this package) or, later, in a container. The
// runner core decides which scripts run, in which order and with which
// environment; an executor only knows how to run one script in a fresh
// shell session, stream its output and stop it.
package executor

import (
	"context"
	"io"
	"time"

	"github.com/jobrun/jobrun/internal/job"
)

// Executor prepares one job's session. One Executor may serve many jobs
// at once; everything that belongs to a job lives in its Session.
type Executor interface {
	// Name is the executor's name as GitLab prints it ("shell", "docker").
	Name() string
	// Prepare readies a place to run the job's scripts: it checks the
	// shell and working directory and writes the file-type variables.
	Prepare(ctx context.Context, spec Spec) (Session, error)
}

// Session is one job on one executor: scripts run in it one after the
// other, each in a new shell process, until Cleanup.
type Session interface {
	// Shell is the shell that runs the scripts ("bash" or "sh").
	Shell() string
	// FilePaths maps each file-type variable's key to the path of the
	// file holding its value, as the scripts see it.
	FilePaths() map[string]string
	// Run runs one script to its end and returns the shell's exit code.
	// When ctx is done the whole process group is stopped (SIGTERM, then
	// SIGKILL after the executor's grace period) and Run returns the
	// code the shell died with. The error is for failures to run at all.
	Run(ctx context.Context, s Script) (exitCode int, err error)
	// Cleanup removes the job's private files. It is safe to call twice.
	Cleanup() error
}

// Spec describes the job a session is for.
type Spec struct {
	// Payload is the job being run, read-only, for executors that need
	// more than a directory: the image, services and registry
	// credentials of a container executor. The shell executor ignores it.
	Payload *job.Payload
	// Dir is the working directory of every script (CI_PROJECT_DIR).
	Dir string
	// Files are the file-type variables: written to private files with
	// mode 0600 that Cleanup removes.
	Files []File
	// TTY runs scripts under a pseudo-terminal instead of pipes.
	TTY bool
}

// File is one file-type variable.
type File struct {
	Key, Content string
}

// Script is one shell session's worth of commands.
type Script struct {
	// Commands are run in order; the shell echoes each one as "$ cmd"
	// (green) before it runs and stops at the first that fails.
	Commands []string
	// Env is the whole environment of the shell, KEY=VALUE. Secrets
	// travel here, never on a command line.
	Env []string
	// Output receives stdout and stderr as one ordered stream.
	Output io.Writer
}

// DefaultGrace is how long a stopped script gets between SIGTERM and
// SIGKILL.
const DefaultGrace = 5 * time.Second
