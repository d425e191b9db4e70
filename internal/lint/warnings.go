package lint

import (
	"slices"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// tokenTheftRules are the rules about one job reaching another job's
// token (or the runner's) on this host or on the wire: what `jobrun run`
// prints before it takes jobs and `jobrun exec` prints for its Docker
// settings. lint-config reports the rest too.
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

// TokenTheftWarnings are the findings of runner i that let a job steal
// another job's token, in CheckRunner's order. The runner token written
// in config.toml (JR010) is left out: that is where GitLab Runner keeps it.
func TokenTheftWarnings(cfg *runnerconfig.Config, i int) []Finding {
	var out []Finding
	for _, f := range CheckRunner(cfg, i) {
		if slices.Contains(tokenTheftRules, f.Code) {
			out = append(out, f)
		}
	}
	return out
}

// HasHigh reports whether any finding is high.
func HasHigh(findings []Finding) bool {
	return slices.ContainsFunc(findings, func(f Finding) bool { return f.Severity == High })
}
