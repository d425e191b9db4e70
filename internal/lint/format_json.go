package lint

import (
	"encoding/json"
	"io"
)

// JSONSchemaVersion names the layout of --format json. It changes only
// when a field is removed or changes meaning; fields may be added.
const JSONSchemaVersion = "jobrun.lint-config/v1"

type jsonReport struct {
	Version string        `json:"version"`
	Tool    jsonTool      `json:"tool"`
	Files   []jsonFile    `json:"files"`
	Results []jsonFinding `json:"findings"`
	Summary jsonSummary   `json:"summary"`
}

type jsonTool struct {
	Name    string `json:"name"`
	Version string `json:"version,omitempty"`
}

type jsonFile struct {
	Path         string `json:"path"`
	RunnerConfig bool   `json:"runner_config"`
	Runners      int    `json:"runners"`
	Note         string `json:"note,omitempty"`
}

type jsonFinding struct {
	Code         string     `json:"code"`
	Slug         string     `json:"slug"`
	Title        string     `json:"title"`
	Severity     Severity   `json:"severity"`
	Confidence   Confidence `json:"confidence"`
	File         string     `json:"file"`
	Line         int        `json:"line"`
	Col          int        `json:"col"`
	RunnerIndex  int        `json:"runner_index"` // -1: global settings
	RunnerName   string     `json:"runner_name"`
	Key          string     `json:"key"`
	Message      string     `json:"message"`
	Fix          string     `json:"fix"`
	Fingerprint  string     `json:"fingerprint"`
	Suppressed   bool       `json:"suppressed"`
	SuppressedBy string     `json:"suppressed_by,omitempty"`
}

type jsonSummary struct {
	Total      int            `json:"total"`
	BySeverity map[string]int `json:"by_severity"`
	Suppressed int            `json:"suppressed"`
}

func writeJSON(w io.Writer, r *Report) error {
	out := jsonReport{Version: JSONSchemaVersion, Tool: jsonTool{Name: "jobrun", Version: r.ToolVersion},
		Files: []jsonFile{}, Results: []jsonFinding{}}
	for _, fr := range r.Files {
		jf := jsonFile{Path: fr.Path, RunnerConfig: fr.Note == "", Note: fr.Note}
		if fr.File != nil {
			jf.Runners = len(fr.File.Config.Runners)
		}
		out.Files = append(out.Files, jf)
		for _, f := range fr.Findings {
			out.Results = append(out.Results, jsonFinding{
				Code: f.Code, Slug: f.Slug, Title: f.Title, Severity: f.Severity, Confidence: f.Confidence,
				File: fr.Path, Line: f.Pos.Line, Col: f.Pos.Col, RunnerIndex: f.Runner, RunnerName: f.RunnerName,
				Key: f.Key, Message: f.Message, Fix: f.Fix, Fingerprint: fingerprint(f),
				Suppressed: f.Suppressed, SuppressedBy: f.SuppressedBy,
			})
		}
	}
	s := r.Summary()
	out.Summary = jsonSummary{Total: s.Total(), Suppressed: s.Suppressed, BySeverity: map[string]int{}}
	for sev := Info; sev <= High; sev++ {
		out.Summary.BySeverity[sev.String()] = s.BySeverity[sev]
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// codeQualityIssue is one entry of GitLab's Code Quality report
// (artifacts:reports:codequality), a subset of the Code Climate format.
type codeQualityIssue struct {
	Description string              `json:"description"`
	CheckName   string              `json:"check_name"`
	Fingerprint string              `json:"fingerprint"`
	Severity    string              `json:"severity"`
	Location    codeQualityLocation `json:"location"`
}

type codeQualityLocation struct {
	Path  string           `json:"path"`
	Lines codeQualityLines `json:"lines"`
}

type codeQualityLines struct {
	Begin int `json:"begin"`
}

// codeQualitySeverity maps to Code Quality's info/minor/major/critical.
var codeQualitySeverity = [...]string{Info: "info", Low: "minor", Medium: "major", High: "critical"}

// writeCodeQuality writes the findings that were not suppressed; Code
// Quality has no notion of a suppressed issue.
func writeCodeQuality(w io.Writer, r *Report) error {
	issues := []codeQualityIssue{}
	for _, fr := range r.Files {
		for _, f := range fr.Findings {
			if f.Suppressed {
				continue
			}
			issues = append(issues, codeQualityIssue{
				Description: f.Code + " " + f.Title + ": " + f.Message,
				CheckName:   f.Code + "/" + f.Slug,
				Fingerprint: fingerprint(f),
				Severity:    codeQualitySeverity[f.Severity],
				Location:    codeQualityLocation{Path: fr.Path, Lines: codeQualityLines{Begin: max(f.Pos.Line, 1)}},
			})
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(issues)
}
