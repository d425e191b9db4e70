package pipeline

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// maxChildDepth is how deep child pipelines may nest (GitLab: 2 levels).
const maxChildDepth = 2

// parseTrigger reads `trigger:`. A child pipeline made only of local files
// is compiled now, so it can run locally; multi-project pipelines and
// other includes are reported as not run locally.
func (c *compiler) parseTrigger(n *Node, name string) (*Trigger, error) {
	if n == nil {
		return nil, nil
	}
	t := &Trigger{}
	what := name + ":trigger"
	if n.Kind == Scalar {
		t.Project = n.Value
		t.Reason = "multi-project pipeline of " + t.Project + " runs on a GitLab instance"
		return t, nil
	}
	if err := mustMap(n, what); err != nil {
		return nil, err
	}
	if err := checkKeys(n, what, "project", "branch", "strategy", "include", "forward", "inputs"); err != nil {
		return nil, err
	}
	var err error
	if t.Project, err = asString(n.Get("project"), what+":project"); err != nil {
		return nil, err
	}
	if t.Branch, err = asString(n.Get("branch"), what+":branch"); err != nil {
		return nil, err
	}
	if t.Strategy, err = asString(n.Get("strategy"), what+":strategy"); err != nil {
		return nil, err
	}
	if t.Project != "" {
		t.Reason = "multi-project pipeline of " + t.Project + " runs on a GitLab instance"
		return t, nil
	}
	inc := n.Get("include")
	if inc == nil {
		return nil, errAt(n, "%s has neither project nor include; expected one", what)
	}
	entries, err := parseIncludes(inc)
	if err != nil {
		return nil, err
	}
	var locals []string
	for _, e := range entries {
		label := e.kind + " " + e.target
		if e.kind == "local" {
			locals = append(locals, e.target)
			label = e.target
		}
		t.Include = append(t.Include, label)
	}
	if len(locals) != len(entries) {
		t.Reason = "the child pipeline includes files that are not in this repository"
		return t, nil
	}
	if c.depth >= maxChildDepth {
		return nil, errAt(n, "child pipelines are nested more than %d levels deep", maxChildDepth)
	}
	child, err := c.compileChild(inc)
	if err != nil {
		return nil, err
	}
	t.Local, t.Child = true, child
	return t, nil
}

// compileChild compiles a child pipeline whose root includes the files.
func (c *compiler) compileChild(include *Node) (*Plan, error) {
	child := newCompiler(c.ctx, c.opts)
	child.depth = c.depth + 1
	child.mainFile = c.mainFile
	child.root = &Node{Kind: Map, Tag: "!!map", Pos: include.Pos, Pairs: []Pair{{Key: "include", KeyPos: include.Pos, Val: include}}}
	child.plan = &Plan{}
	child.fileList = c.fileList
	for _, s := range compileSteps()[1:] { // the root is built, not loaded
		if err := s.Run(child); err != nil {
			return nil, err
		}
		if child.stopped {
			break
		}
	}
	return child.plan, nil
}

// parseDuration reads GitLab's human durations ("1h 30m", "2 hours",
// "90 minutes", "3600") into seconds.
func parseDuration(s string) (int, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if n, err := strconv.Atoi(s); err == nil {
		return checkDuration(n)
	}
	total, i := 0, 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == ',' || strings.HasPrefix(s[i:], "and ")) {
			if s[i] == 'a' {
				i += 3
			}
			i++
		}
		start := i
		for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
			i++
		}
		if start == i {
			return 0, fmt.Errorf("expected a number at %q; write durations such as 1h 30m or 90 minutes", s[start:])
		}
		num, err := strconv.ParseFloat(s[start:i], 64)
		if err != nil || num > 1e9 {
			return 0, fmt.Errorf("bad number %q", s[start:i])
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		ustart := i
		for i < len(s) && unicode.IsLetter(rune(s[i])) {
			i++
		}
		mult, ok := durationUnits[s[ustart:i]]
		if !ok {
			return 0, fmt.Errorf("unknown unit %q; expected seconds, minutes, hours, days or weeks", s[ustart:i])
		}
		total += int(num * float64(mult))
		if total > 1e12 { // far beyond the limit; stop before int overflow
			return 0, fmt.Errorf("expected a duration between 1 second and 1 month")
		}
	}
	return checkDuration(total)
}

func checkDuration(n int) (int, error) {
	if n <= 0 || n > 30*24*3600 {
		return 0, fmt.Errorf("expected a duration between 1 second and 1 month")
	}
	return n, nil
}

var durationUnits = map[string]int{
	"": 1, "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
	"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
	"w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}
