package lint

import (
	"fmt"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// notRunnerConfigNote explains a file without [[runners]] and without any
// key GitLab Runner knows.
const notRunnerConfigNote = "not a GitLab Runner config.toml: no [[runners]] and no known key; nothing to check"

// Lint reads every path and checks it. It reads all files before it
// reports anything, so that a malformed or unreadable file (an error:
// *runnerconfig.Error with file:line:column, or the read error) leaves
// no partial report behind.
func Lint(paths []string, opts Options) (*Report, error) {
	r := &Report{}
	for _, p := range paths {
		f, err := runnerconfig.ReadFile(p)
		if err != nil {
			return nil, err
		}
		r.Files = append(r.Files, lintFile(f, opts))
	}
	return r, nil
}

// LintData checks one file held in memory (tests, fuzzing, stdin).
func LintData(path string, data []byte, opts Options) (*Report, error) {
	f, err := runnerconfig.Parse(path, data)
	if err != nil {
		return nil, err
	}
	return &Report{Files: []FileReport{lintFile(f, opts)}}, nil
}

func lintFile(f *runnerconfig.File, opts Options) FileReport {
	fr := FileReport{Path: f.Path, File: f}
	if !f.IsRunnerConfig() {
		fr.Note = notRunnerConfigNote
		return fr
	}
	fr.Findings = Check(f, opts)
	return fr
}

// String renders a finding on one line, for warnings printed by run and
// exec: "high JR030 docker-privileged: privileged = true ... (fix: ...)".
func (f Finding) String() string {
	return fmt.Sprintf("%s %s %s: %s (fix: %s)", f.Severity, f.Code, f.Slug, f.Message, f.Fix)
}
