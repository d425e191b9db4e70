package runnermode

import (
	"github.com/jobrun/jobrun/internal/lint"
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Warnings are the findings of runner i that matter to token theft
// (lint.TokenTheftWarnings), printed before run takes jobs.
func Warnings(cfg *runnerconfig.Config, i int) []lint.Finding {
	return lint.TokenTheftWarnings(cfg, i)
}

// HasHigh reports whether any finding is high (--strict refuses to start).
func HasHigh(findings []lint.Finding) bool { return lint.HasHigh(findings) }
