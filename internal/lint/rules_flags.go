package lint

import (
	"strconv"
	"strings"
)

// featureFlag reads FF_* from [runners.feature_flags] and from
// environment = ["FF_...=..."] (the later wins, as job variables do);
// set is false when neither names it. key is where it was found.
func featureFlag(s *scope, name string) (value, set bool, key string) {
	for k, v := range s.r.FeatureFlags {
		if strings.EqualFold(k, name) {
			value, set, key = v, true, "feature_flags."+k
		}
	}
	for _, kv := range s.r.Environment {
		n, v, ok := strings.Cut(kv, "=")
		if !ok || n != name {
			continue
		}
		if b, err := strconv.ParseBool(v); err == nil {
			value, set, key = b, true, "environment"
		}
	}
	return value, set, key
}

// JR064
type securityFlagWeakened struct{}

func (securityFlagWeakened) Meta() Meta {
	return Meta{Code: "JR064", Slug: "security-flag-weakened", Severity: Medium,
		Title: "Security-relevant feature flag or option weakened",
		Help:  "These defaults mask tokens in logs, clean git configuration between jobs, and keep the job token out of git URLs.",
		Fix:   "restore the default; on shell executors set FF_ENABLE_JOB_CLEANUP = true"}
}

func (r securityFlagWeakened) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var out []Finding
	if v, set, key := featureFlag(s, "FF_MASK_ALL_DEFAULT_TOKENS"); set && !v {
		out = append(out, s.finding(r.Meta(), Medium, ConfidenceHigh, key, "FF_MASK_ALL_DEFAULT_TOKENS = false: GitLab tokens are no longer masked in job logs"))
	}
	if s.r.CleanGitConfig != nil && !*s.r.CleanGitConfig {
		sev := Medium
		if s.facts.ShellLikeInFile {
			sev = sev.raise()
		}
		out = append(out, s.finding(r.Meta(), sev, ConfidenceHigh, "clean_git_config", "clean_git_config = false: git configuration a job leaves behind reaches the next job"))
	}
	if v, set, key := featureFlag(s, "FF_GIT_URLS_WITHOUT_TOKENS"); set && !v {
		out = append(out, s.finding(r.Meta(), Low, ConfidenceMedium, key, "FF_GIT_URLS_WITHOUT_TOKENS = false: the job token is written into git configuration and URLs"))
	}
	if s.r.Executor == "shell" {
		if v, _, _ := featureFlag(s, "FF_ENABLE_JOB_CLEANUP"); !v {
			f := s.finding(r.Meta(), Low, ConfidenceMedium, "feature_flags.FF_ENABLE_JOB_CLEANUP", "FF_ENABLE_JOB_CLEANUP is not enabled: a shell job's files stay on the host")
			f.Detail = "FF_ENABLE_JOB_CLEANUP"
			out = append(out, f)
		}
	}
	return out
}

// JR066
type cacheTransportOrSharing struct{}

func (cacheTransportOrSharing) Meta() Meta {
	return Meta{Code: "JR066", Slug: "cache-transport-or-sharing", Severity: Medium,
		Title: "Distributed cache over HTTP or shared across runners",
		Help:  "A cache over HTTP can be read and poisoned in transit; a cache shared between runners of different trust lets one poison the other (CVE-2022-1423).",
		Fix:   "an HTTPS endpoint, one bucket per trust level, Shared = false"}
}

func (r cacheTransportOrSharing) check(s *scope) []Finding {
	if s.r == nil || s.r.Cache == nil {
		return nil
	}
	c := s.r.Cache
	var out []Finding
	if c.S3 != nil && c.S3.Insecure {
		out = append(out, s.finding(r.Meta(), Medium, ConfidenceHigh, "cache.s3.Insecure", "Insecure = true: the S3 cache is reached over plain HTTP"))
	}
	if c.Shared {
		out = append(out, s.finding(r.Meta(), Low, ConfidenceMedium, "cache.Shared", "Shared = true: runners share one cache, so a job of one runner can poison another's"))
	}
	return out
}
