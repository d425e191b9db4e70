package lint

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"

	"github.com/jobrun/jobrun/internal/iostreams"
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Report is the outcome of linting one or more files, ready to render.
type Report struct {
	Files []FileReport
	// ToolVersion names jobrun's version in json and sarif output.
	ToolVersion string
}

// FileReport is one linted file. Note explains a file that was read but
// is not a runner config; it then has no findings.
type FileReport struct {
	Path     string
	File     *runnerconfig.File
	Findings []Finding
	Note     string
}

// Summary counts findings by severity. Suppressed ones are counted apart
// and in no severity.
type Summary struct {
	BySeverity [High + 1]int
	Suppressed int
}

// Total is the number of findings that were not suppressed.
func (s Summary) Total() int {
	n := 0
	for _, c := range s.BySeverity {
		n += c
	}
	return n
}

// Summary counts the report's findings.
func (r *Report) Summary() Summary {
	var s Summary
	for _, fr := range r.Files {
		for _, f := range fr.Findings {
			if f.Suppressed {
				s.Suppressed++
				continue
			}
			s.BySeverity[f.Severity]++
		}
	}
	return s
}

// Fails reports whether any finding that was not suppressed is at or
// above min (--fail-on).
func (r *Report) Fails(min Severity) bool {
	for _, fr := range r.Files {
		for _, f := range fr.Findings {
			if !f.Suppressed && f.Severity >= min {
				return true
			}
		}
	}
	return false
}

// Format names an output format.
type Format string

// The output formats of lint-config.
const (
	FormatText        Format = "text"
	FormatJSON        Format = "json"
	FormatSARIF       Format = "sarif"
	FormatCodeQuality Format = "codequality"
)

// Formats lists the formats in help order.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatCodeQuality}

// Write renders the report in format f. The palette colours text output
// only (pass a palette with colour off for files and pipes).
func (r *Report) Write(w io.Writer, f Format, p iostreams.Palette) error {
	switch f {
	case FormatText:
		return writeText(w, r, p)
	case FormatJSON:
		return writeJSON(w, r)
	case FormatSARIF:
		return writeSARIF(w, r)
	case FormatCodeQuality:
		return writeCodeQuality(w, r)
	}
	return fmt.Errorf("unknown format %q: expected text, json, sarif or codequality", f)
}

// runnerLabel names a runner for fingerprints and groups: its name, or
// its position when it has none.
func runnerLabel(f Finding) string {
	switch {
	case f.Runner < 0:
		return "(global)"
	case f.RunnerName != "":
		return f.RunnerName
	}
	return "#" + itoa(f.Runner+1)
}

// partialFingerprint identifies a finding independently of its line, so
// baselines survive edits elsewhere in the file: rule, runner, key, detail.
func partialFingerprint(f Finding) string {
	return hash(f.Code, runnerLabel(f), f.Key, f.Detail)
}

// fingerprint adds the file, for reports that span several files.
func fingerprint(f Finding) string {
	return hash(f.File, f.Code, runnerLabel(f), f.Key, f.Detail)
}

func hash(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}
