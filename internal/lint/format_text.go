package lint

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/jobrun/jobrun/internal/iostreams"
)

// writeText renders findings grouped per file and per runner, each with
// the offending line and a caret under the key, then a count by severity:
//
//	high JR030 docker-privileged: Job and service containers run privileged
//	  --> config.toml:31:5
//	   |
//	31 |     privileged = true
//	   |     ^^^^^^^^^^ privileged = true gives every job root on the host
//	   = fix: ...
func writeText(w io.Writer, r *Report, p iostreams.Palette) error {
	tw := &textWriter{w: w, p: p}
	for _, fr := range r.Files {
		tw.file(fr)
	}
	tw.summary(r.Summary())
	return tw.err
}

type textWriter struct {
	w   io.Writer
	p   iostreams.Palette
	err error
}

func (t *textWriter) printf(format string, a ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, a...)
	}
}

func (t *textWriter) file(fr FileReport) {
	t.printf("%s\n", t.p.Bold(fr.Path))
	if fr.Note != "" {
		t.printf("  note: %s\n\n", fr.Note)
		return
	}
	if len(fr.Findings) == 0 {
		t.printf("  %s\n\n", t.p.Green("no findings"))
		return
	}
	// Global findings first, then runners in file order.
	last := -2
	for _, runner := range runnerOrder(fr.Findings) {
		for _, f := range fr.Findings {
			if f.Runner != runner {
				continue
			}
			if f.Runner != last {
				t.printf("  %s\n", t.p.Cyan(groupTitle(fr, f)))
				last = f.Runner
			}
			t.finding(fr, f)
		}
	}
	t.printf("\n")
}

func runnerOrder(fs []Finding) []int {
	var order []int
	for _, f := range fs {
		if !slices.Contains(order, f.Runner) {
			order = append(order, f.Runner)
		}
	}
	slices.Sort(order) // -1 (global) first, then runners in file order
	return order
}

func groupTitle(fr FileReport, f Finding) string {
	if f.Runner < 0 {
		return "global settings"
	}
	title := fmt.Sprintf("[[runners]] #%d", f.Runner+1)
	if f.RunnerName != "" {
		title += fmt.Sprintf(" %q", f.RunnerName)
	}
	if fr.File != nil && f.Runner < len(fr.File.Config.Runners) {
		if ex := fr.File.Config.Runners[f.Runner].Executor; ex != "" {
			title += " (" + ex + ")"
		}
	}
	return title
}

func (t *textWriter) severity(s Severity) string {
	switch s {
	case High:
		return t.p.Red(s.String())
	case Medium:
		return t.p.Yellow(s.String())
	case Low:
		return t.p.Cyan(s.String())
	}
	return t.p.Gray(s.String())
}

func (t *textWriter) finding(fr FileReport, f Finding) {
	head := fmt.Sprintf("%s %s %s", t.severity(f.Severity), f.Code, f.Slug)
	if f.Suppressed {
		head = t.p.Gray(fmt.Sprintf("suppressed %s %s %s", f.Severity, f.Code, f.Slug))
	}
	t.printf("    %s: %s\n", head, t.p.Bold(f.Title))
	t.printf("      --> %s:%d:%d\n", fr.Path, f.Pos.Line, f.Pos.Col)
	src := ""
	if fr.File != nil {
		src = fr.File.Line(f.Pos.Line)
	}
	num := fmt.Sprint(f.Pos.Line)
	pad := strings.Repeat(" ", len(num))
	if src != "" {
		line := strings.ReplaceAll(redactLine(src), "\t", " ")
		t.printf("      %s |\n", pad)
		t.printf("      %s | %s\n", num, line)
		caret := strings.Repeat(" ", max(f.Pos.Col-1, 0)) + t.p.Red(strings.Repeat("^", caretWidth(line, f.Pos.Col)))
		t.printf("      %s | %s %s\n", pad, caret, f.Message)
	} else {
		t.printf("      %s = %s\n", pad, f.Message)
	}
	t.printf("      %s = fix: %s\n", pad, f.Fix)
	if f.Suppressed {
		t.printf("      %s = suppressed by %s\n", pad, f.SuppressedBy)
	}
}

// tokenAtRE is what a caret underlines: a quoted string or a bare key.
var tokenAtRE = regexp.MustCompile(`^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.\-]+)`)

func caretWidth(line string, col int) int {
	if col < 1 || col > len(line) {
		return 1
	}
	if m := tokenAtRE.FindString(line[col-1:]); m != "" {
		return len(m)
	}
	return 1
}

func (t *textWriter) summary(s Summary) {
	var parts []string
	for sev := High; sev >= Info; sev-- {
		parts = append(parts, fmt.Sprintf("%d %s", s.BySeverity[sev], t.severity(sev)))
	}
	noun := "findings"
	if s.Total() == 1 {
		noun = "finding"
	}
	t.printf("%d %s: %s", s.Total(), noun, strings.Join(parts, ", "))
	if s.Suppressed > 0 {
		t.printf(" (%d suppressed)", s.Suppressed)
	}
	t.printf("\n")
}
