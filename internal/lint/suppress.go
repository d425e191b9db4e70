package lint

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Options change how Check treats suppressions.
type Options struct {
	// NoIgnores reports every finding: inline comments and Ignores are
	// not applied (--no-ignores).
	NoIgnores bool
	// Ignores silence a rule for a runner by name. They exist because
	// `gitlab-runner register` rewrites config.toml and drops comments.
	Ignores []Ignore
}

// Ignore silences one rule (code or slug) for the runner named Runner.
type Ignore struct {
	Rule   string
	Runner string
}

// ParseIgnore reads "RULE:RUNNER", e.g. "JR030:docker-runner-1" or
// "docker-privileged:docker-runner-1". Runner names may hold colons; rule
// identifiers never do, so the first colon separates them.
func ParseIgnore(s string) (Ignore, error) {
	rule, runner, ok := strings.Cut(s, ":")
	if !ok || runner == "" {
		return Ignore{}, fmt.Errorf("ignore %q: expected RULE:RUNNER (a code or slug, then a runner name)", s)
	}
	if _, known := RuleByID(rule); !known {
		return Ignore{}, fmt.Errorf("ignore %q: unknown rule %q (expected a code such as JR030 or a slug such as docker-privileged)", s, rule)
	}
	return Ignore{Rule: rule, Runner: runner}, nil
}

// ignoreCommentRE is "# jobrun: ignore[JR030, docker-privileged] reason".
var ignoreCommentRE = regexp.MustCompile(`^#\s*jobrun:\s*ignore\[([^\]]*)\]\s*(.*)$`)

// commentIgnores returns the rule identifiers an inline comment names.
func commentIgnores(comment string) []string {
	m := ignoreCommentRE.FindStringSubmatch(strings.TrimSpace(comment))
	if m == nil {
		return nil
	}
	var ids []string
	for _, id := range strings.Split(m[1], ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func applySuppressions(file *runnerconfig.File, findings []Finding, opts Options) {
	if opts.NoIgnores {
		return
	}
	for i := range findings {
		f := &findings[i]
		for _, ig := range opts.Ignores {
			if (ig.Rule == f.Code || ig.Rule == f.Slug) && f.Runner >= 0 && ig.Runner == f.RunnerName {
				f.Suppressed, f.SuppressedBy = true, "ignore "+ig.Rule+":"+ig.Runner
			}
		}
		if f.Suppressed {
			continue
		}
		for _, line := range coveringLines(file, *f) {
			for _, id := range commentIgnores(file.Comment(line)) {
				if id == f.Code || id == f.Slug {
					f.Suppressed, f.SuppressedBy = true, fmt.Sprintf("comment on line %d", line)
				}
			}
		}
	}
}

// coveringLines are the lines whose comment may silence a finding: its
// own line, a comment-only line right above it, and the headers of the
// tables that contain its key ([runners.docker], [[runners]]).
func coveringLines(file *runnerconfig.File, f Finding) []int {
	lines := []int{f.Pos.Line}
	if above := f.Pos.Line - 1; strings.HasPrefix(strings.TrimSpace(file.Line(above)), "#") {
		lines = append(lines, above)
	}
	if f.Runner < 0 {
		return lines
	}
	rel := strings.TrimPrefix(f.Key, "runners.")
	for p := rel; ; {
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
		if k, ok := file.Lookup(f.Runner, p); ok && k.Header {
			lines = append(lines, k.Pos.Line)
		}
	}
	if k, ok := file.Lookup(-1, "runners."+itoa(f.Runner)); ok {
		lines = append(lines, k.Pos.Line)
	}
	return lines
}
