package lint

import (
	"fmt"
	"regexp"
	"strings"
)

// envRefRE is a value that is only an environment reference, which the
// runner expands at start-up ($VAR or ${VAR}).
var envRefRE = regexp.MustCompile(`^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$`)

// placeholderRE matches values that are obviously not a real secret:
// <your token>, {{ template }}, xxxx, ****, REPLACE_ME, changeme ...
var placeholderRE = regexp.MustCompile(`(?i)^(<.*>|\{\{.*\}\}|\$\{\{.*\}\}|%.*%|x+|\*+|\.+|(replace|change|your|todo|fixme|insert|example|dummy|placeholder)\b.*|(replace|change|your)[_-].*|changeme)$`)

// isLiteralSecret reports whether a credential value is written in the
// file: not empty, not an environment reference, not a placeholder.
func isLiteralSecret(v string) bool {
	v = strings.TrimSpace(v)
	return v != "" && !envRefRE.MatchString(v) && !placeholderRE.MatchString(v)
}

// tokenPrefixes are GitLab's token prefixes, kept when a token is shown.
var tokenPrefixes = []string{"glrt-", "glpat-", "glcbt-", "gldt-", "glptt-", "glft-", "glsoat-", "glimt-", "glagent-", "gloas-", "GR1348941"}

// Redact describes a secret without showing it: its GitLab token prefix,
// if any, and its length. "glrt-… (26 chars)", "… (20 chars)".
func Redact(v string) string {
	for _, p := range tokenPrefixes {
		if strings.HasPrefix(v, p) {
			return fmt.Sprintf("%s… (%d chars)", p, len(v))
		}
	}
	return fmt.Sprintf("… (%d chars)", len(v))
}

// tokenInTextRE finds GitLab tokens in free text (hook scripts, source
// lines) so that no output shows them.
var tokenInTextRE = regexp.MustCompile(`\b(glrt-|glpat-|glcbt-|gldt-|glptt-|glft-|glsoat-|glimt-|glagent-|gloas-|GR1348941)[A-Za-z0-9_\-.]+`)

// quotedRE is a TOML basic or literal string on one line.
var quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"|'[^']*'`)

// envNameRE is a variable or option name: a whole "NAME=value" string,
// as in environment and MachineOptions lists (not a script line).
var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// keyAssignRE is the key of a "key = value" line.
var keyAssignRE = regexp.MustCompile(`^\s*["']?([A-Za-z0-9_.\-]+)["']?\s*=`)

// redactLine hides secrets in a source line before any output shows it:
// the strings of a credential key (token = "..."), the values of secret
// KEY=VALUE items (environment, MachineOptions), and GitLab tokens
// anywhere.
func redactLine(line string) string {
	secretKey := false
	if m := keyAssignRE.FindStringSubmatch(line); m != nil {
		name := strings.ToLower(m[1][strings.LastIndexByte(m[1], '.')+1:])
		secretKey = secretKeyNames[name]
	}
	line = quotedRE.ReplaceAllStringFunc(line, func(q string) string {
		inner := q[1 : len(q)-1]
		if secretKey {
			if !isLiteralSecret(inner) {
				return q
			}
			return q[:1] + Redact(inner) + q[len(q)-1:]
		}
		if name, value, ok := strings.Cut(inner, "="); ok && isLiteralSecret(value) && envNameRE.MatchString(name) &&
			(secretEnvKey(name) || machineSecretRE.MatchString(inner)) {
			return q[:1] + name + "=" + Redact(value) + q[len(q)-1:]
		}
		return q
	})
	line = urlPasswordRE.ReplaceAllStringFunc(line, func(m string) string {
		sub := urlPasswordRE.FindStringSubmatch(m)
		if !isLiteralSecret(sub[2]) {
			return m // ${CI_JOB_TOKEN} and the like: a reference, not a secret
		}
		return sub[1] + Redact(sub[2]) + "@"
	})
	for _, re := range inlineSecretREs {
		line = re.ReplaceAllStringFunc(line, func(m string) string {
			sub := re.FindStringSubmatchIndex(m)
			value := m[sub[4]:sub[5]]
			if !isLiteralSecret(value) || strings.HasPrefix(value, "…") { // a reference, or already hidden
				return m
			}
			return m[:sub[4]] + Redact(value) + m[sub[5]:]
		})
	}
	return tokenInTextRE.ReplaceAllStringFunc(line, Redact)
}

// inlineSecretREs find credentials inside free text such as hook scripts:
// HTTP headers that carry tokens, NAME_TOKEN=value assignments and
// --password options. Group 2 is the value.
var inlineSecretREs = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\b(private-token|job-token|deploy-token|x-api-key|authorization:\s*(?:bearer|basic|token))\s*:?\s*([^\s'"\\;&|]+)`),
	regexp.MustCompile(`(?i)\b([a-z0-9_]*(?:token|secret|passw(?:or)?d|api[_-]?key))=([^\s'"\\;&|]+)`),
	regexp.MustCompile(`(?i)(--password|--token)[= ]([^\s'"\\;&|]+)`),
}

// urlPasswordRE is the password of a URL's user information
// (https://user:password@host).
var urlPasswordRE = regexp.MustCompile(`(://[^/@\s:"']*:)([^@/\s"']+)@`)

// secretKeyNames are keys whose value is a credential (lower case).
var secretKeyNames = map[string]bool{
	"token": true, "password": true, "accesskey": true, "secretkey": true, "sessiontoken": true,
	"accountkey": true, "privatekey": true, "bearer_token": true, "sentry_dsn": true,
}

// secretEnvKeyRE matches environment variable names that hold secrets.
// Underscores and dashes count as word boundaries (AV_PASS_FILE).
var secretEnvKeyRE = regexp.MustCompile(`(?i)(token|secret|passw(or)?d|\bpass\b|api ?key|access ?key|private ?key|credential|auth)`)

func secretEnvKey(name string) bool {
	return secretEnvKeyRE.MatchString(strings.NewReplacer("_", " ", "-", " ").Replace(name))
}

// machineSecretRE matches docker-machine options that carry credentials.
var machineSecretRE = regexp.MustCompile(`(?i)((secret|access)-key|password|token)=(.*)$`)
