package runner

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// GitLab's default plan limits for `artifacts:reports:dotenv`.
const (
	DotenvMaxSize      = 5 * 1024
	DotenvMaxVariables = 20
)

var dotenvKey = regexp.MustCompile(`^[A-Za-z0-9_]+$`)

// ParseDotenv reads a dotenv report the way GitLab does: every line is
// KEY=VALUE (split at the first "=", both sides trimmed, quotes kept,
// no comments, no blank lines), a later key replaces an earlier one, the
// file is smaller than 5 KiB and defines at most 20 variables. Errors
// name the file, line and column.
func ParseDotenv(name string, data []byte) (job.Variables, error) {
	if len(data) >= DotenvMaxSize {
		return nil, fmt.Errorf("%s: dotenv report is %d bytes, it must be smaller than %d", name, len(data), DotenvMaxSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 byte order mark
	var vars job.Variables
	lines := strings.SplitAfter(string(data), "\n")
	for i, line := range lines {
		if line == "" { // after the last newline
			continue
		}
		body := strings.TrimRight(line, "\r\n")
		key, value, ok := strings.Cut(body, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d:1: expected KEY=VALUE, got %q", name, i+1, clip(body))
		}
		key, value = strings.TrimSpace(key), strings.TrimSpace(value)
		if !dotenvKey.MatchString(key) {
			col := len(body) - len(strings.TrimLeft(body, " \t")) + 1
			return nil, fmt.Errorf("%s:%d:%d: variable name %q may only contain letters, digits and _", name, i+1, col, clip(key))
		}
		vars.Set(job.Variable{Key: key, Value: value})
	}
	if len(vars) > DotenvMaxVariables {
		return nil, fmt.Errorf("%s: dotenv report defines %d variables, at most %d are allowed", name, len(vars), DotenvMaxVariables)
	}
	return vars, nil
}

// clip keeps error messages short; a dotenv line may be long.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
