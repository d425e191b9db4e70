package runner

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"
	"time"
)

// TerminalOptions say how job traces look on a terminal.
type TerminalOptions struct {
	// Color keeps the trace's colours and colours each job's name;
	// without it every escape sequence is removed.
	Color bool
	// Timestamps prefixes each line with the wall-clock time.
	Timestamps bool
	// NameWidth pads job names so that the lines of all jobs align.
	NameWidth int
	// Now is the clock of timestamps (tests fix it).
	Now func() time.Time
}

// Terminal is the sink that shows the traces of concurrent jobs on one
// stream: every line prefixed with its job's name, whole lines only, so
// lines of different jobs never mix.
type Terminal struct {
	out  io.Writer
	opts TerminalOptions

	mu   sync.Mutex
	jobs int
}

// NewTerminal returns a terminal sink writing to out.
func NewTerminal(out io.Writer, opts TerminalOptions) *Terminal {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Terminal{out: out, opts: opts}
}

// jobColors are the name colours, one per job in turn.
var jobColors = []string{"\x1b[36m", "\x1b[35m", "\x1b[34m", "\x1b[33m", "\x1b[32m", "\x1b[96m", "\x1b[95m", "\x1b[94m"}

// Job returns the writer for one job's (masked) trace. Close prints a
// last line that has no newline.
func (t *Terminal) Job(name string) io.WriteCloser {
	t.mu.Lock()
	color := jobColors[t.jobs%len(jobColors)]
	t.jobs++
	t.mu.Unlock()
	prefix := fmt.Sprintf("%-*s > ", t.opts.NameWidth, name)
	if t.opts.Color {
		prefix = color + fmt.Sprintf("%-*s", t.opts.NameWidth, name) + "\x1b[0m > "
	}
	return &jobLines{t: t, prefix: prefix}
}

// Warn prints a warning about the whole pipeline, not about one job.
func (t *Terminal) Warn(msg string) {
	line := "WARNING: " + msg
	if t.opts.Color {
		line = ansiYellow + line
	}
	t.print("", []string{line})
}

// print writes the rendered lines of one trace line in one write.
func (t *Terminal) print(prefix string, lines []string) {
	if len(lines) == 0 {
		return
	}
	var b strings.Builder
	stamp := ""
	if t.opts.Timestamps {
		stamp = "[" + t.opts.Now().Format("15:04:05") + "] "
	}
	for _, l := range lines {
		b.WriteString(stamp)
		b.WriteString(prefix)
		b.WriteString(l)
		if t.opts.Color {
			b.WriteString("\x1b[0m")
		}
		b.WriteByte('\n')
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = io.WriteString(t.out, b.String())
}

// jobLines cuts one job's trace into lines.
type jobLines struct {
	t       *Terminal
	prefix  string
	partial []byte
}

func (j *jobLines) Write(p []byte) (int, error) {
	n := len(p)
	for {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			j.partial = append(j.partial, p...)
			return n, nil
		}
		line := append(j.partial, p[:i]...)
		j.partial = j.partial[:0]
		j.t.print(j.prefix, RenderTraceLine(string(line), j.t.opts.Color))
		p = p[i+1:]
	}
}

func (j *jobLines) Close() error {
	if len(j.partial) > 0 {
		j.t.print(j.prefix, RenderTraceLine(string(j.partial), j.t.opts.Color))
		j.partial = nil
	}
	return nil
}

var (
	sectionMarker = regexp.MustCompile(`(?:\x1b\[0K)?section_(?:start|end):\d+:[A-Za-z0-9_.\-]+(?:\[[^\]\r\n]*\])?\r(?:\x1b\[0K)?`)
	// ansiSequence matches CSI sequences (colours, clears) and OSC ones
	// (titles, links).
	ansiSequence = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?`)
)

// RenderTraceLine turns one line of a GitLab trace into the lines a
// terminal shows: section markers are dropped (text around a marker
// becomes its own line), a carriage return keeps what a terminal would
// show last, and without colour every escape sequence goes.
func RenderTraceLine(line string, color bool) []string {
	if !strings.Contains(line, "section_") {
		return []string{renderPiece(line, color)}
	}
	var out []string
	for _, piece := range sectionMarker.Split(line, -1) {
		if visible := renderPiece(piece, false); visible == "" {
			continue
		}
		out = append(out, renderPiece(piece, color))
	}
	return out
}

func renderPiece(s string, color bool) string {
	if i := strings.LastIndexByte(strings.TrimRight(s, "\r"), '\r'); i >= 0 {
		s = s[i+1:]
	}
	s = strings.TrimRight(s, "\r")
	if !color {
		s = ansiSequence.ReplaceAllString(s, "")
		s = strings.ReplaceAll(s, "\x1b", "")
	}
	return s
}
