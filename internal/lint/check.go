package lint

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Meta describes a rule: its stable code and slug, and what to do about it.
type Meta struct {
	Code  string
	Slug  string
	Title string
	// Help is the rule's rationale, one or two sentences.
	Help string
	Fix  string
	// Severity is the rule's highest severity; context may lower it.
	Severity Severity
}

// rule is one check of the catalogue. check runs once with the global
// scope (s.r == nil) and once per [[runners]] entry.
type rule interface {
	Meta() Meta
	check(s *scope) []Finding
}

// rules lists the 30 core rules in catalogue order. Adding a rule means
// one type and one line here.
var rules = []rule{
	sessionServerExposed{}, metricsEndpointExposed{}, concurrentJobsSharedHost{},
	plaintextRunnerToken{}, cleartextGitLabURL{}, unknownOrDeadKey{}, secretLiteralInConfig{},
	shellExecutor{}, sshHostKeyCheckingDisabled{}, dockerMachineVMReuse{}, autoscalerInstanceReuse{},
	dockerPrivileged{}, privilegedWithoutAllowlist{}, runtimeSocketMount{}, sensitiveHostPathMount{},
	sharedHostBuildOrCacheDir{}, dangerousCapabilities{}, securityProfileDisabled{}, hostNamespaceSharing{},
	imageAllowlistMissing{}, pullPolicyIfNotPresent{}, dockerAPIOverTCPWithoutTLS{},
	k8sPrivilegedOrEscalation{}, k8sHostPathVolume{}, k8sOverwriteAllowed{},
	secretInRunnerEnvironment{}, remoteScriptInHook{}, jobTokenPersistedByHook{},
	securityFlagWeakened{}, cacheTransportOrSharing{},
}

// Rules returns the metadata of every rule, in catalogue order.
func Rules() []Meta {
	out := make([]Meta, len(rules))
	for i, r := range rules {
		out[i] = r.Meta()
	}
	return out
}

// RuleByID finds a rule by code or slug ("JR030" or "docker-privileged").
func RuleByID(id string) (Meta, bool) {
	for _, r := range rules {
		m := r.Meta()
		if m.Code == id || m.Slug == id {
			return m, true
		}
	}
	return Meta{}, false
}

// Check lints a decoded file and applies suppressions (inline comments
// and ignore entries, unless opts.NoIgnores). Findings are sorted by
// line, then code.
func Check(f *runnerconfig.File, opts Options) []Finding {
	findings := check(f, &f.Config)
	applySuppressions(f, findings, opts)
	return findings
}

// CheckRunner lints runner i of a config held in memory, with no file
// positions and no suppressions. `jobrun run` and `jobrun exec` use it to
// print, before they take a job, the same warnings lint-config reports
// (privileged Docker, a shell executor on a shared host ...):
//
//	cfg := &runnerconfig.Config{Concurrent: 1, Runners: []runnerconfig.Runner{{
//		Executor: "docker", Docker: &runnerconfig.Docker{Privileged: true}}}}
//	for _, f := range lint.CheckRunner(cfg, 0) { ... f.Severity, f.Title, f.Message, f.Fix }
//
// Global rules (session server, metrics listener) are not included.
func CheckRunner(cfg *runnerconfig.Config, i int) []Finding {
	if i < 0 || i >= len(cfg.Runners) {
		return nil
	}
	s := &scope{cfg: cfg, idx: i, r: &cfg.Runners[i], facts: computeFacts(cfg, i)}
	var out []Finding
	for _, r := range rules {
		out = append(out, r.check(s)...)
	}
	return out
}

func check(f *runnerconfig.File, cfg *runnerconfig.Config) []Finding {
	var out []Finding
	global := &scope{file: f, cfg: cfg, idx: -1, filePath: f.Path}
	for _, r := range rules {
		out = append(out, r.check(global)...)
	}
	for i := range cfg.Runners {
		s := &scope{file: f, cfg: cfg, idx: i, r: &cfg.Runners[i], facts: computeFacts(cfg, i), filePath: f.Path}
		for _, r := range rules {
			out = append(out, r.check(s)...)
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Pos.Line, b.Pos.Line), cmp.Compare(a.Code, b.Code), cmp.Compare(a.Pos.Col, b.Pos.Col))
	})
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }
