package runnermode

import (
	"slices"

	"github.com/jobrun/jobrun/internal/lint"
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// tokenTheftRules are the lint-config rules about one job reaching
// another job's token (or the runner's) on this host or on the wire; run
// prints only these before it takes jobs, lint-config covers the rest.
var tokenTheftRules = []string{
	"JR004", // concurrent jobs on a shared host
	"JR011", // cleartext GitLab URL: tokens on the wire
	"JR020", // shell executor: every job runs as the runner's user
	"JR030", // privileged Docker
	"JR031", // privileged without an image allowlist
	"JR032", // container runtime socket mounted
	"JR033", // sensitive host path mounted
	"JR034", // build or cache dir shared with the host
	"JR035", // dangerous capabilities
	"JR036", // seccomp/AppArmor disabled
	"JR037", // host namespaces shared
	"JR041", // Docker API over TCP without TLS
	"JR060", // secret in the runner's environment
	"JR062", // job token persisted by a hook
	"JR064", // security feature flag weakened
}

// Warnings are the findings of runner i that matter to token theft, in
// lint's order. The runner token written in config.toml (JR010) is left
// out: that is where GitLab Runner keeps it, and run shows only its hint.
func Warnings(cfg *runnerconfig.Config, i int) []lint.Finding {
	var out []lint.Finding
	for _, f := range lint.CheckRunner(cfg, i) {
		if slices.Contains(tokenTheftRules, f.Code) {
			out = append(out, f)
		}
	}
	return out
}

// HasHigh reports whether any finding is high (--strict refuses to start).
func HasHigh(findings []lint.Finding) bool {
	return slices.ContainsFunc(findings, func(f lint.Finding) bool { return f.Severity == lint.High })
}
