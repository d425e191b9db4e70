// Package cmdutil holds what every command shares: the exit codes, the
// error type that carries one, and the factory that hands commands their
// streams and configuration.
package cmdutil

import (
	"errors"
	"fmt"
)

// Exit codes, fixed by the command-line contract (DESIGN.md).
const (
	ExitOK          = 0
	ExitFailure     = 1   // a job failed, or lint findings at or above --fail-on
	ExitBadInput    = 2   // bad input or usage
	ExitInterrupted = 130 // SIGINT / SIGTERM
)

// ExitError is an error that decides the process's exit code. Its message
// is printed once by Main; an empty message prints nothing.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// BadInput wraps an error about malformed input or usage (exit 2).
func BadInput(format string, a ...any) error {
	return &ExitError{Code: ExitBadInput, Err: fmt.Errorf(format, a...)}
}

// AsBadInput marks err as bad input (exit 2), keeping its message.
func AsBadInput(err error) error {
	if err == nil {
		return nil
	}
	return &ExitError{Code: ExitBadInput, Err: err}
}

// Silent returns an error that sets the exit code and prints nothing,
// for commands that already reported the outcome themselves.
func Silent(code int) error { return &ExitError{Code: code} }

// ExitCode maps an error to the process exit code: nil is 0, an
// *ExitError its own code, anything else 1.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitFailure
}
