package mask

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

var envKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// parseSecretsFile reads one secret per line, or KEY=VALUE lines (the
// value is the secret; matching surrounding quotes are removed). Blank
// lines and lines starting with # are skipped. Each secret is named by
// file:line (and its key), so an error can point at it without showing it.
func parseSecretsFile(path string, data []byte) []secret {
	var out []secret
	for i, line := range bytes.Split(data, []byte("\n")) {
		l := strings.TrimSuffix(string(line), "\r")
		if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		name := fmt.Sprintf("%s:%d", path, i+1)
		if k, v, ok := strings.Cut(l, "="); ok && envKey.MatchString(k) {
			name = fmt.Sprintf("%s (%s)", name, k)
			l = unquote(v)
		}
		out = append(out, secret{name, l})
	}
	return out
}

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}
