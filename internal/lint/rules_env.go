package lint

import (
	"regexp"
	"strconv"
	"strings"
)

// JR060
type secretInRunnerEnvironment struct{}

func (secretInRunnerEnvironment) Meta() Meta {
	return Meta{Code: "JR060", Slug: "secret-in-runner-environment", Severity: High,
		Title: "Secret injected into every job the runner takes",
		Help:  "Runner-level variables bypass GitLab's protected and masked variables: every project and branch that lands on the runner receives them.",
		Fix:   "use protected, masked CI/CD variables or external secrets (secrets:) scoped to protected refs"}
}

func (r secretInRunnerEnvironment) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	lists := []struct {
		key string
		env []string
	}{{"environment", s.r.Environment}}
	if d := dockerOf(s.r); d != nil {
		for i, svc := range d.Services {
			lists = append(lists, struct {
				key string
				env []string
			}{"docker.services." + itoa(i) + ".environment", svc.Environment})
		}
	}
	if k := kubernetesOf(s.r); k != nil {
		for i, svc := range k.Services {
			lists = append(lists, struct {
				key string
				env []string
			}{"kubernetes.services." + itoa(i) + ".environment", svc.Environment})
		}
	}
	var out []Finding
	for _, l := range lists {
		for i, kv := range l.env {
			name, value, ok := strings.Cut(kv, "=")
			if !ok || !secretEnvKey(name) || !isLiteralSecret(value) || strings.Contains(value, "$") {
				continue
			}
			sev, msg := High, name+" is set for every job: "+Redact(value)
			if strings.HasPrefix(value, "/") || strings.HasPrefix(value, "~") {
				sev, msg = Medium, name+" points every job at a secret file on the host"
			}
			f := s.finding(r.Meta(), sev, ConfidenceMedium, l.key, msg)
			f.Key, f.Detail = "runners."+stripIndices(l.key), name
			s.elemPos(&f, l.key, i)
			out = append(out, f)
		}
	}
	return out
}

// stripIndices drops array indices from a dotted path ("docker.services.0.x").
func stripIndices(p string) string {
	parts := strings.Split(p, ".")
	out := parts[:0]
	for _, s := range parts {
		if _, err := strconv.Atoi(s); err != nil {
			out = append(out, s)
		}
	}
	return strings.Join(out, ".")
}

// hook is one runner-admin script that runs inside every job.
type hook struct{ key, script string }

func hooks(s *scope) []hook {
	r := s.r
	return []hook{
		{"pre_get_sources_script", r.PreGetSourcesScript}, {"post_get_sources_script", r.PostGetSourcesScript},
		{"pre_build_script", r.PreBuildScript}, {"post_build_script", r.PostBuildScript},
		{"pre_clone_script", string(r.PreCloneScript)}, {"post_clone_script", string(r.PostCloneScript)},
	}
}

// JR061
type remoteScriptInHook struct{}

func (remoteScriptInHook) Meta() Meta {
	return Meta{Code: "JR061", Slug: "remote-script-in-hook", Severity: Medium,
		Title: "Runner hook downloads and executes code",
		Help:  "The hook runs in every job of every project: whoever controls that URL controls all of them.",
		Fix:   "vendor the script into the image, or pin the download by checksum"}
}

// remoteExecREs are poutine's unverified_script_exec patterns, adapted.
var remoteExecREs = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(curl|wget|iwr|invoke-webrequest)\b[^|\n;]*\|\s*(sudo\s+)?(ba|z|da|k)?sh\b`),
	regexp.MustCompile(`(?i)\b(curl|wget|iwr|invoke-webrequest)\b[^|\n;]*\|\s*(sudo\s+)?(python[0-9.]*|perl|ruby|node|iex)\b`),
	regexp.MustCompile(`(?i)\b(bash|sh|source|\.)\s+<\(\s*(curl|wget)\b`),
	regexp.MustCompile(`(?i)\biex\b.*downloadstring\(`),
}

func (r remoteScriptInHook) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var out []Finding
	for _, h := range hooks(s) {
		for _, re := range remoteExecREs {
			if re.MatchString(h.script) {
				out = append(out, s.finding(r.Meta(), Medium, ConfidenceHigh, h.key,
					h.key+" pipes a download into an interpreter in every job"))
				break
			}
		}
	}
	return out
}

// JR062
type jobTokenPersistedByHook struct{}

func (jobTokenPersistedByHook) Meta() Meta {
	return Meta{Code: "JR062", Slug: "job-token-persisted-by-hook", Severity: High,
		Title: "Hook writes the job token to persistent host state",
		Help:  "A token persisted in git config, .netrc or a docker login outlives its job; later jobs on the host read it.",
		Fix:   "pass the token per command (git -c, a credential helper) and set FF_GIT_URLS_WITHOUT_TOKENS = true"}
}

var (
	jobTokenRE = regexp.MustCompile(`\$\{?(CI_JOB_TOKEN|CI_REGISTRY_PASSWORD)\b`)
	persistREs = []*regexp.Regexp{
		regexp.MustCompile(`git\s+config\s+(--\w+\s+)*--(global|system)\b`),
		regexp.MustCompile(`\.netrc\b|\.git-credentials\b`),
		regexp.MustCompile(`>>?\s*["']?(/|~)`),
	}
	dockerLoginRE  = regexp.MustCompile(`\bdocker\s+login\b`)
	dockerLogoutRE = regexp.MustCompile(`\bdocker\s+logout\b`)
)

func (r jobTokenPersistedByHook) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	sev := Medium
	if shellLike(s.r.Executor) {
		sev = High // the state is the host itself
	}
	var out []Finding
	for _, h := range hooks(s) {
		if !jobTokenRE.MatchString(h.script) {
			continue
		}
		persists := dockerLoginRE.MatchString(h.script) && !dockerLogoutRE.MatchString(h.script)
		for _, re := range persistREs {
			persists = persists || re.MatchString(h.script)
		}
		if persists {
			out = append(out, s.finding(r.Meta(), sev, ConfidenceMedium, h.key,
				h.key+" stores CI_JOB_TOKEN where later jobs on the host can read it"))
		}
	}
	return out
}
