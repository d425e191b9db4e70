package runner

import "os"

// maxExpandDepth bounds how deep a variable may refer to another that
// refers to another…; a cycle (A: $B, B: $A) stops there instead of
// looping.
const maxExpandDepth = 10

// expander expands `$VAR` and `${VAR}` in job variable values as GitLab
// Runner does before a job starts (JobVariables.Expand): against the
// job's environment (its variables, what the runner sets such as
// CI_PROJECT_DIR, and — unlike GitLab Runner, which knows only the job's
// variables — the base environment, so `PATH: $HOME/bin:$PATH` works on a
// laptop), leaving raw (`expand: false`) values alone, `$$` as a literal
// `$`, and shell-special names ($1, $?, …) as written. An unknown
// variable expands to nothing, as in GitLab Runner.
type expander struct {
	values map[string]string // unexpanded values by key
	raw    map[string]bool   // keys not to expand
}

func (e *expander) expand(value string, depth int) string {
	return os.Expand(value, func(key string) string {
		switch key {
		case "$":
			return "$"
		case "*", "#", "@", "!", "?", "-", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9":
			return "$" + key
		}
		v, ok := e.values[key]
		if !ok {
			return ""
		}
		if e.raw[key] || depth >= maxExpandDepth {
			return v
		}
		return e.expand(v, depth+1)
	})
}
