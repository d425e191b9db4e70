package runner

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// WriteSummary prints the pipeline's table — job, stage, status,
// duration — and a last line saying how the pipeline ended.
func WriteSummary(out io.Writer, s Summary, color bool) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSTAGE\tSTATUS\tDURATION")
	for _, j := range s.Jobs {
		status := string(j.State)
		if j.Attempts > 1 {
			status += fmt.Sprintf(" (%d attempts)", j.Attempts)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.Name, j.Stage, status, formatDuration(j))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict, code := "Pipeline succeeded", "\x1b[32;1m"
	switch {
	case s.Interrupted:
		verdict, code = "Pipeline interrupted", "\x1b[33;1m"
	case s.Failed():
		verdict, code = "Pipeline failed", "\x1b[31;1m"
	}
	if color {
		verdict = code + verdict + "\x1b[0m"
	}
	_, err := fmt.Fprintln(out, verdict)
	return err
}

func formatDuration(o Outcome) string {
	if o.Attempts == 0 {
		return "-"
	}
	d := o.Duration
	if d < time.Second {
		return d.Round(time.Millisecond).String()
	}
	return d.Round(100 * time.Millisecond).String()
}
