package executor

import (
	"strings"
)

// Shell names.
const (
	Bash = "bash"
	Sh   = "sh"
)

// RenderScript turns commands into the text of a shell script the way
// GitLab Runner's generated scripts behave: stop at the first failing
// command (`set -eo pipefail` in bash, `set -e` in sh, which has no
// pipefail), and print each command as a green "$ cmd" line before it
// runs. The text holds the commands as written — `$VAR` references, never
// a variable's value — so it may sit in a private file without leaking.
func RenderScript(shell string, commands []string) string {
	var b strings.Builder
	if shell == Bash {
		b.WriteString("set -eo pipefail\n")
	} else {
		b.WriteString("set -e\n")
	}
	for _, c := range commands {
		b.WriteString("printf '\\033[32;1m%s\\033[0;m\\n' ")
		b.WriteString(quote(echoLine(c)))
		b.WriteByte('\n')
		b.WriteString(c)
		// A command ending in a comment or without a newline must not
		// swallow what follows.
		b.WriteByte('\n')
	}
	return b.String()
}

// echoLine is what the log shows for a command: "$ cmd", and for a
// multi-line command its first line with GitLab's note.
func echoLine(cmd string) string {
	first, _, multi := strings.Cut(strings.TrimSpace(cmd), "\n")
	if multi {
		return "$ " + first + " # collapsed multi-line command"
	}
	return "$ " + first
}

// quote single-quotes s for any POSIX shell.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
