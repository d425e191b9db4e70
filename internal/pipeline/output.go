package pipeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/jobrun/jobrun/internal/job"
	"io"
	"strings"
	"text/tabwriter"
)

// Redacted returns a copy of the plan that is safe to print: every
// masked, file or otherwise non-public variable value is "[MASKED]", in
// the jobs, their images and services, and child pipelines.
func (p *Plan) Redacted() *Plan {
	out := *p
	out.Jobs = make([]*Job, len(p.Jobs))
	for i, j := range p.Jobs {
		cp := *j
		cp.Payload.Variables = j.Payload.Variables.Redacted()
		cp.Payload.Image.Variables = j.Payload.Image.Variables.Redacted()
		cp.Payload.Services = make([]job.Service, len(j.Payload.Services))
		for k, s := range j.Payload.Services {
			s.Variables = s.Variables.Redacted()
			cp.Payload.Services[k] = s
		}
		cp.Payload.Token = ""
		cp.Payload.GitInfo.RepoURL = ""
		if j.Trigger != nil && j.Trigger.Child != nil {
			t := *j.Trigger
			t.Child = j.Trigger.Child.Redacted()
			cp.Trigger = &t
		}
		out.Jobs[i] = &cp
	}
	return &out
}

// minScrubLength is the shortest secret scrubbed from the whole JSON
// document (GitLab's minimum for masked values). Shorter ones are still
// redacted in every variables list, but replacing them everywhere would
// corrupt the document.
const minScrubLength = 8

// WriteJSON writes the plan as one JSON document, secrets redacted: in
// the variables lists, and wherever GitLab expanded a secret into another
// keyword (an image name, an environment URL...).
func WriteJSON(w io.Writer, p *Plan) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.Redacted()); err != nil {
		return err
	}
	out := buf.Bytes()
	for _, secret := range p.secrets() {
		if len(secret) < minScrubLength {
			continue
		}
		var quoted bytes.Buffer // encoded exactly as in the document
		qe := json.NewEncoder(&quoted)
		qe.SetEscapeHTML(false)
		if err := qe.Encode(secret); err != nil {
			return err
		}
		q := bytes.TrimSuffix(quoted.Bytes(), []byte("\n"))
		out = bytes.ReplaceAll(out, q[1:len(q)-1], []byte("[MASKED]"))
	}
	_, err := w.Write(out)
	return err
}

// secrets lists the masked values of every job, child pipelines included.
func (p *Plan) secrets() []string {
	var out []string
	for _, j := range p.Jobs {
		out = append(out, j.Payload.Variables.MaskedValues()...)
		if j.Trigger != nil && j.Trigger.Child != nil {
			out = append(out, j.Trigger.Child.secrets()...)
		}
	}
	return out
}

// WriteList writes one line per job in run order: stage, name, when,
// allow_failure and needs, then the notes, and the excluded jobs (with
// verbose each of them, otherwise their number).
func WriteList(w io.Writer, p *Plan, verbose bool) error {
	if len(p.Jobs) == 0 && len(p.Excluded) == 1 && p.Excluded[0].Name == pipelineExcluded {
		_, err := fmt.Fprintf(w, "no pipeline: %s\n", p.Excluded[0].Reason)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STAGE\tNAME\tWHEN\tALLOW FAILURE\tNEEDS")
	for _, j := range p.Jobs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.Stage, j.Name, describeWhen(j), describeAllowFailure(j), describeNeeds(j))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, j := range p.Jobs {
		if j.Trigger != nil && j.Trigger.Child != nil {
			if _, err := fmt.Fprintf(w, "child pipeline of %s: %s\n", j.Name, strings.Join(jobNamesOf(j.Trigger.Child), ", ")); err != nil {
				return err
			}
		}
	}
	if !verbose && len(p.Excluded) > 0 {
		verb := "jobs are"
		if len(p.Excluded) == 1 {
			verb = "job is"
		}
		if _, err := fmt.Fprintf(w, "%d %s not in the pipeline (rules, only/except); -v lists them\n", len(p.Excluded), verb); err != nil {
			return err
		}
	}
	for _, e := range p.Excluded {
		if !verbose {
			break
		}
		if _, err := fmt.Fprintf(w, "not in the pipeline: %s (%s)\n", e.Name, e.Reason); err != nil {
			return err
		}
	}
	for _, n := range p.Notes {
		if _, err := fmt.Fprintf(w, "note: %s\n", n); err != nil {
			return err
		}
	}
	return nil
}

func describeWhen(j *Job) string {
	s := j.When
	if j.StartIn != "" {
		s += " (" + j.StartIn + ")"
	}
	if j.Trigger != nil && !j.Trigger.Local {
		s += " [trigger, not run locally]"
	}
	return s
}

func describeAllowFailure(j *Job) string {
	if len(j.AllowFailureExitCodes) > 0 {
		codes := make([]string, len(j.AllowFailureExitCodes))
		for i, c := range j.AllowFailureExitCodes {
			codes[i] = fmt.Sprint(c)
		}
		return "exit codes " + strings.Join(codes, ",")
	}
	return fmt.Sprint(j.AllowFailure)
}

func describeNeeds(j *Job) string {
	if j.Needs == nil {
		return "-"
	}
	if len(j.Needs) == 0 {
		return "[]"
	}
	names := make([]string, len(j.Needs))
	for i, n := range j.Needs {
		names[i] = n.Job
		if n.Optional {
			names[i] += "?"
		}
	}
	return strings.Join(names, ", ")
}

func jobNamesOf(p *Plan) []string {
	names := make([]string, len(p.Jobs))
	for i, j := range p.Jobs {
		names[i] = j.Name
	}
	return names
}
