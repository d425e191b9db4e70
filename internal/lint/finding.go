// Package lint audits GitLab Runner config.toml files for settings that let
// one job steal another job's token: privileged Docker, shell executors on
// shared hosts, mounted container-runtime sockets, secrets in the file, and
// the rest of the catalogue in ../shared/reference/lint-rules.md (the 30
// core rules JR001–JR066). Codes and slugs are stable identifiers.
//
// Check lints decoded files; CheckRunner lints one runner's settings held in
// memory, so that `jobrun run` and `jobrun exec --privileged` print the same
// warnings before they take a job. The report formats (text, json, sarif,
// codequality) live beside the rules.
package lint

import (
	"fmt"
	"strings"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Severity orders findings; the zero value is Info.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Low
	Medium
	High
)

var severityNames = []string{"info", "low", "medium", "high"}

func (s Severity) String() string {
	if s < Info || s > High {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// MarshalText writes the severity's name (json).
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseSeverity reads info, low, medium or high (case-insensitive).
func ParseSeverity(name string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(name, n) {
			return Severity(i), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: expected info, low, medium or high", name)
}

// raise and lower move a severity one level, within Info..High.
func (s Severity) raise() Severity { return min(s+1, High) }
func (s Severity) lower() Severity { return max(s-1, Info) }

// Confidence says how sure a rule is that the finding is a real risk.
type Confidence int

// Confidences, lowest first.
const (
	ConfidenceLow Confidence = iota
	ConfidenceMedium
	ConfidenceHigh
)

func (c Confidence) String() string {
	switch c {
	case ConfidenceLow:
		return "low"
	case ConfidenceMedium:
		return "medium"
	default:
		return "high"
	}
}

// MarshalText writes the confidence's name (json).
func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Finding is one problem in one file.
type Finding struct {
	Code       string
	Slug       string
	Title      string
	Severity   Severity
	Confidence Confidence
	// Message says what is wrong here, in one line. It never holds a
	// secret value.
	Message string
	Fix     string
	File    string
	// Runner is the index of the [[runners]] entry (-1 for global
	// settings) and RunnerName its name.
	Runner     int
	RunnerName string
	// Key is the TOML path of the offending key without the runner's
	// index ("runners.docker.privileged"); when the problem is a missing
	// key, it names that key and Pos points at the table that lacks it.
	Key string
	Pos runnerconfig.Pos
	// Detail tells apart findings of one rule on one key (a volume entry,
	// a capability); never secret.
	Detail string
	// Suppressed says an inline comment or an ignore entry silenced it;
	// SuppressedBy says which.
	Suppressed   bool
	SuppressedBy string
}
