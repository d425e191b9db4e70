package lint

import (
	"net/url"
	"regexp"
	"strings"
)

// JR010
type plaintextRunnerToken struct{}

func (plaintextRunnerToken) Meta() Meta {
	return Meta{Code: "JR010", Slug: "plaintext-runner-token", Severity: High,
		Title: "Runner authentication token stored literally",
		Help:  "Anyone who reads the file can clone the runner and receive other projects' jobs and their tokens.",
		Fix:   "token = \"${RUNNER_TOKEN}\" from a secret store; rotate the token (delete and recreate the runner)"}
}

// legacyTokenRE: the 20- and 30-character runner tokens of the
// registration-token flow.
var legacyTokenRE = regexp.MustCompile(`^[A-Za-z0-9_-]{20}$|^[A-Za-z0-9_-]{30}$`)

func (r plaintextRunnerToken) check(s *scope) []Finding {
	if s.r == nil || !isLiteralSecret(s.r.Token) {
		return nil
	}
	conf := ConfidenceMedium
	if strings.HasPrefix(s.r.Token, "glrt-") || legacyTokenRE.MatchString(s.r.Token) {
		conf = ConfidenceHigh
	}
	return []Finding{s.finding(r.Meta(), High, conf, "token",
		"token is written in the file: "+Redact(s.r.Token))}
}

// JR011
type cleartextGitLabURL struct{}

func (cleartextGitLabURL) Meta() Meta {
	return Meta{Code: "JR011", Slug: "cleartext-gitlab-url", Severity: High,
		Title: "GitLab URL or clone URL over plain HTTP",
		Help:  "The runner token, every job payload (variables, CI_JOB_TOKEN) and gitlab-ci-token clone URLs travel in cleartext.",
		Fix:   "use https:// (with tls-ca-file for a private CA)"}
}

func (r cleartextGitLabURL) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var out []Finding
	if strings.HasPrefix(strings.ToLower(s.r.URL), "http://") {
		sev, msg := High, "url uses plain HTTP: the runner token and every job's CI_JOB_TOKEN cross the network in cleartext"
		if loopbackURL(s.r.URL) {
			// Traffic to a loopback GitLab stays on the host, but any
			// process there can read it, and a copied config leaks.
			sev, msg = Low, "url uses plain HTTP to a loopback GitLab: tokens stay on this host but are not encrypted"
		}
		out = append(out, s.finding(r.Meta(), sev, ConfidenceHigh, "url", msg))
	}
	if strings.HasPrefix(strings.ToLower(s.r.CloneURL), "http://") {
		out = append(out, s.finding(r.Meta(), Medium, ConfidenceHigh, "clone_url",
			"clone_url uses plain HTTP: clone URLs carry gitlab-ci-token:<job token>"))
	}
	return out
}

func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || strings.HasPrefix(h, "127.") || h == "::1"
}

// JR012
type unknownOrDeadKey struct{}

func (unknownOrDeadKey) Meta() Meta {
	return Meta{Code: "JR012", Slug: "unknown-or-dead-key", Severity: Medium,
		Title: "Key the runner silently ignores",
		Help:  "GitLab Runner ignores unknown keys without a word, so a control or hook the operator believes active is not.",
		Fix:   "move or rename the key (pre_clone_script → pre_get_sources_script, environment under [[runners]]), or delete it"}
}

// deadSecurityKeys are ignored keys whose author meant a security control
// or a hook (lower case, last segment).
var deadSecurityKeys = map[string]string{
	"tls-skip-verify":   "TLS verification setting removed in 13.9",
	"pre_clone_script":  "removed in Runner 17.0; use pre_get_sources_script",
	"post_clone_script": "removed in Runner 17.0; use post_get_sources_script",
	"privileged":        "",
	"network_mode":      "",
	"environment":       "environment exists only under [[runners]] and services",
	"volumes":           "",
	"insecure":          "",
	"accesskey":         "",
	"secretkey":         "",
	"run_exec_timeout":  "not a [runners.custom] setting",
}

func (r unknownOrDeadKey) check(s *scope) []Finding {
	if s.file == nil {
		return nil
	}
	var out []Finding
	for _, k := range s.file.Unknown {
		if k.Runner != s.idx {
			continue
		}
		name := strings.ToLower(k.Name)
		note, security := deadSecurityKeys[name]
		if strings.HasPrefix(name, "allowed_") {
			security = true
		}
		sev := Info
		if security {
			sev = Medium
		}
		msg := "GitLab Runner ignores " + k.Schema
		if note != "" {
			msg += " (" + note + ")"
		}
		f := s.finding(r.Meta(), sev, ConfidenceHigh, "", msg)
		f.Key, f.Pos, f.Detail = keyWithoutIndex(k.Schema), k.Pos, k.Schema
		out = append(out, f)
	}
	if s.r != nil && strings.HasSuffix(strings.TrimRight(s.r.URL, "/"), "/ci") {
		f := s.finding(r.Meta(), Info, ConfidenceHigh, "url", "url ends in /ci, which the runner strips: the suffix is a leftover of old registrations")
		f.Detail = "url/ci"
		out = append(out, f)
	}
	return out
}

// keyWithoutIndex turns "runners[].docker.x" into "runners.docker.x".
func keyWithoutIndex(schema string) string { return strings.ReplaceAll(schema, "[]", "") }

// JR013
type secretLiteralInConfig struct{}

func (secretLiteralInConfig) Meta() Meta {
	return Meta{Code: "JR013", Slug: "secret-literal-in-config", Severity: High,
		Title: "Credential embedded in config.toml",
		Help:  "Config files get copied into repositories, images and backups; a credential in them outlives its purpose.",
		Fix:   "use IAM or workload identity (AuthenticationType = \"iam\"), $VAR expansion, or a Kubernetes secret"}
}

// knownDefaultSecrets are published default credentials (H).
var knownDefaultSecrets = map[string]bool{"minioadmin": true, "minio123": true, "password": true, "admin": true, "secret": true, "changeit": true}

func (r secretLiteralInConfig) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	type cred struct{ key, value string }
	var creds []cred
	if c := s.r.Cache; c != nil {
		if c.S3 != nil {
			creds = append(creds, cred{"cache.s3.AccessKey", c.S3.AccessKey}, cred{"cache.s3.SecretKey", c.S3.SecretKey})
		}
		if c.Azure != nil {
			creds = append(creds, cred{"cache.azure.AccountKey", c.Azure.AccountKey})
		}
		if c.GCS != nil {
			creds = append(creds, cred{"cache.gcs.PrivateKey", c.GCS.PrivateKey})
		}
	}
	if s.r.SSH != nil {
		creds = append(creds, cred{"ssh.password", s.r.SSH.Password})
	}
	if k := s.r.Kubernetes; k != nil {
		creds = append(creds, cred{"kubernetes.bearer_token", k.BearerToken})
	}
	if a := s.r.Autoscaler; a != nil && a.ConnectorConfig != nil {
		creds = append(creds, cred{"autoscaler.connector_config.password", a.ConnectorConfig.Password})
	}
	var out []Finding
	for _, c := range creds {
		if !isLiteralSecret(c.value) {
			continue
		}
		sev := Medium
		if knownDefaultSecrets[strings.ToLower(c.value)] {
			sev = High
		}
		f := s.finding(r.Meta(), sev, ConfidenceHigh, c.key, c.key+" is written in the file: "+Redact(c.value))
		out = append(out, f)
	}
	if m := s.r.Machine; m != nil {
		for i, opt := range m.MachineOptions {
			sub := machineSecretRE.FindStringSubmatch(opt)
			if sub == nil || !isLiteralSecret(sub[3]) {
				continue
			}
			name := opt[:len(opt)-len(sub[3])]
			f := s.finding(r.Meta(), Medium, ConfidenceMedium, "machine.MachineOptions",
				"MachineOptions entry "+name+" holds a credential: "+Redact(sub[3]))
			f.Detail = name
			s.elemPos(&f, "machine.MachineOptions", i)
			out = append(out, f)
		}
	}
	return out
}
