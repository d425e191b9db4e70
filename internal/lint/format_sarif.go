package lint

import (
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0, the subset jobrun writes. Suppressed findings stay in the
// log with a suppression, as the spec intends, so viewers can show them.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string          `json:"id"`
	Name                 string          `json:"name"`
	ShortDescription     sarifText       `json:"shortDescription"`
	FullDescription      sarifText       `json:"fullDescription"`
	Help                 sarifText       `json:"help"`
	DefaultConfiguration sarifRuleConfig `json:"defaultConfiguration"`
	Properties           map[string]any  `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Properties          map[string]any     `json:"properties"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification,omitempty"`
}

// sarifLevel maps severities like zizmor: info and low are notes.
var sarifLevel = [...]string{Info: "note", Low: "note", Medium: "warning", High: "error"}

// securitySeverity is the GitHub code-scanning score of a severity.
var securitySeverity = [...]string{Info: "1.0", Low: "3.0", Medium: "5.5", High: "8.5"}

func writeSARIF(w io.Writer, r *Report) error {
	metas := Rules()
	index := map[string]int{}
	driver := sarifDriver{Name: "jobrun", InformationURI: "https://github.com/jobrun/jobrun", Version: r.ToolVersion}
	for i, m := range metas {
		index[m.Code] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID: m.Code, Name: m.Slug,
			ShortDescription:     sarifText{m.Title},
			FullDescription:      sarifText{m.Help},
			Help:                 sarifText{"Fix: " + m.Fix},
			DefaultConfiguration: sarifRuleConfig{Level: sarifLevel[m.Severity]},
			Properties: map[string]any{"tags": []string{"security", "gitlab-runner"},
				"security-severity": securitySeverity[m.Severity]},
		})
	}
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	for _, fr := range r.Files {
		for _, f := range fr.Findings {
			res := sarifResult{
				RuleID: f.Code, RuleIndex: index[f.Code], Level: sarifLevel[f.Severity],
				Message:             sarifText{f.Message + ". Fix: " + f.Fix},
				Locations:           []sarifLocation{{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: artifactURI(fr.Path)}}}},
				PartialFingerprints: map[string]string{"jobrun/v1": partialFingerprint(f)},
				Properties: map[string]any{"severity": f.Severity.String(), "confidence": f.Confidence.String(),
					"slug": f.Slug, "runner": runnerLabel(f), "key": f.Key},
			}
			if f.Pos.Line > 0 {
				res.Locations[0].PhysicalLocation.Region = &sarifRegion{StartLine: f.Pos.Line, StartColumn: f.Pos.Col}
			}
			if f.Suppressed {
				kind := "external"
				if strings.HasPrefix(f.SuppressedBy, "comment") {
					kind = "inSource"
				}
				res.Suppressions = []sarifSuppression{{Kind: kind, Justification: f.SuppressedBy}}
			}
			run.Results = append(run.Results, res)
		}
	}
	log := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

// artifactURI is a relative URI for a relative path, file:// otherwise.
func artifactURI(path string) string {
	p := filepath.ToSlash(path)
	if filepath.IsAbs(path) {
		return (&url.URL{Scheme: "file", Path: p}).String()
	}
	return (&url.URL{Path: p}).String()
}
