// Package iostreams holds the three standard streams of a command together
// with what jobrun needs to know about them: whether they are terminals and
// whether colour is wanted. Commands receive an *IOStreams instead of
// touching os.Stdin/os.Stdout so that tests can hand them buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"github.com/fatih/color"
	"golang.org/x/term"
)

// IOStreams is the input, output and error stream of one command run.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdoutTTY bool
	stderrTTY bool
	noColor   bool
}

// System returns the process's own streams, with terminal detection and the
// NO_COLOR convention (https://no-color.org) applied.
func System() *IOStreams {
	s := &IOStreams{
		In:        os.Stdin,
		Out:       os.Stdout,
		ErrOut:    os.Stderr,
		stdoutTTY: isTerminal(os.Stdout),
		stderrTTY: isTerminal(os.Stderr),
	}
	if _, set := os.LookupEnv("NO_COLOR"); set {
		s.noColor = true
	}
	return s
}

// Test returns streams backed by buffers: stdin, stdout, stderr.
func Test() (*IOStreams, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	in, out, errOut := &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, noColor: true}, in, out, errOut
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether standard error is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// SetStdoutTTY overrides terminal detection (tests, --tty).
func (s *IOStreams) SetStdoutTTY(v bool) { s.stdoutTTY = v }

// SetNoColor turns colour off (--no-color).
func (s *IOStreams) SetNoColor(v bool) { s.noColor = v }

// ColorEnabled reports whether output to Out may carry colour: only when Out
// is a terminal and neither NO_COLOR nor --no-color asked for none.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.noColor }

// Palette returns colour functions that are no-ops when colour is off.
func (s *IOStreams) Palette() Palette { return newPalette(s.ColorEnabled()) }

// Palette holds the few colours jobrun uses, each a Sprint-like function.
type Palette struct {
	Green, Red, Yellow, Cyan, Bold, Gray func(a ...any) string
}

func newPalette(enabled bool) Palette {
	mk := func(attrs ...color.Attribute) func(a ...any) string {
		c := color.New(attrs...)
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c.SprintFunc()
	}
	return Palette{
		Green:  mk(color.FgGreen),
		Red:    mk(color.FgRed),
		Yellow: mk(color.FgYellow),
		Cyan:   mk(color.FgCyan),
		Bold:   mk(color.Bold),
		Gray:   mk(color.FgHiBlack),
	}
}
