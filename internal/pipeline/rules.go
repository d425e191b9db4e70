package pipeline

import (
	"fmt"
	"strings"
)

// matchRules returns the first rule of a `rules:` list whose conditions
// (if, changes, exists) all hold, or nil when none does. allowed are the
// keys a rule may have where it is used.
func (c *compiler) matchRules(rules *Node, vars Lookup, what string, allowed ...string) (*Node, error) {
	if rules.IsNull() {
		return nil, nil
	}
	if rules.Kind != Seq {
		return nil, errAt(rules, "%s is %s; expected a list of rules", what, rules.Describe())
	}
	for _, rule := range rules.Items {
		if rule.Kind == Seq { // a !reference to a rules list, flattened
			r, err := c.matchRules(rule, vars, what, allowed...)
			if r != nil || err != nil {
				return r, err
			}
			continue
		}
		if err := mustMap(rule, "a rule in "+what); err != nil {
			return nil, err
		}
		if err := checkKeys(rule, what, allowed...); err != nil {
			return nil, err
		}
		ok, err := c.ruleHolds(rule, vars)
		if err != nil {
			return nil, err
		}
		if ok {
			return rule, nil
		}
	}
	return nil, nil
}

func (c *compiler) ruleHolds(rule *Node, vars Lookup) (bool, error) {
	if n := rule.Get("if"); n != nil {
		ok, err := c.evalIf(n, vars)
		if err != nil || !ok {
			return false, err
		}
	}
	if n := rule.Get("changes"); n != nil {
		ok, err := c.evalChanges(n, vars)
		if err != nil || !ok {
			return false, err
		}
	}
	if n := rule.Get("exists"); n != nil {
		ok, err := c.evalExists(n, vars)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// evalIf parses (once per node) and evaluates an expression.
func (c *compiler) evalIf(n *Node, vars Lookup) (bool, error) {
	e, ok := c.exprs[n]
	if !ok {
		src, err := asString(n, "if")
		if err != nil {
			return false, err
		}
		e, err = ParseExpr(src)
		if err != nil {
			return false, errAt(n, "invalid expression %q: %v", src, err)
		}
		if c.exprs == nil {
			c.exprs = map[*Node]*Expr{}
		}
		c.exprs[n] = e
	}
	return e.Eval(vars), nil
}

// evalExists is true when any glob matches a file of the project.
func (c *compiler) evalExists(n *Node, vars Lookup) (bool, error) {
	globs, err := pathsOf(n, "exists", "paths", "project", "ref")
	if err != nil {
		return false, err
	}
	if n.Kind == Map && n.Get("project") != nil {
		c.note("rules:exists with project: checked against this project's files")
	}
	files := c.projectFiles()
	for _, g := range globs {
		g = strings.TrimPrefix(expandExisting(g, vars), "/")
		for _, f := range files {
			if matchGlob(g, f) {
				return true, nil
			}
		}
	}
	return false, nil
}

// evalChanges is true when a changed file matches. Without a repository
// (or on a tag, as in GitLab) it is true.
func (c *compiler) evalChanges(n *Node, vars Lookup) (bool, error) {
	globs, err := pathsOf(n, "changes", "paths", "compare_to")
	if err != nil {
		return false, err
	}
	g := c.opts.Git
	if g == nil {
		c.note("rules:changes evaluated as true: no git repository")
		return true, nil
	}
	if c.opts.Tag != "" {
		return true, nil
	}
	base := ""
	if n.Kind == Map && n.Get("compare_to") != nil {
		if base, err = asString(n.Get("compare_to"), "changes:compare_to"); err != nil {
			return false, err
		}
		base = expandExisting(base, vars)
	} else if g.Branch != "" && g.Branch != g.DefaultBranch {
		base = g.DefaultBranch
	} else {
		base = "HEAD~1"
	}
	changed, err := c.changedFiles(base)
	if err != nil {
		c.note(fmt.Sprintf("rules:changes evaluated as true: cannot compare with %s", base))
		return true, nil
	}
	for _, glob := range globs {
		glob = strings.TrimPrefix(expandExisting(glob, vars), "/")
		for _, f := range changed {
			if matchGlob(glob, f) {
				return true, nil
			}
		}
	}
	return false, nil
}

func (c *compiler) changedFiles(base string) ([]string, error) {
	if files, ok := c.changed[base]; ok {
		return files, nil
	}
	files, err := c.opts.Git.changedFiles(c.ctx, base)
	if err != nil {
		return nil, err
	}
	if c.changed == nil {
		c.changed = map[string][]string{}
	}
	c.changed[base] = files
	c.note("rules:changes compared the work tree with " + base)
	return files, nil
}

// pathsOf reads `changes:`/`exists:`: a list of globs or {paths: [...]}.
func pathsOf(n *Node, what string, keys ...string) ([]string, error) {
	if n.Kind == Map {
		if err := checkKeys(n, what, keys...); err != nil {
			return nil, err
		}
		return asStrings(n.Get("paths"), what+":paths")
	}
	return asStrings(n, what)
}

// onlyExcept evaluates the legacy only/except keywords for a branch or
// tag push pipeline. A job with neither runs on branches and tags.
func (c *compiler) onlyExcept(only, except *Node, vars Lookup) (bool, error) {
	if only != nil {
		ok, err := c.policyMatches(only, "only", vars)
		if err != nil || !ok {
			return false, err
		}
	}
	if except != nil {
		ok, err := c.policyMatches(except, "except", vars)
		if err != nil {
			return false, err
		}
		return !ok, nil
	}
	return true, nil
}

// policyMatches is true when every key given has a matching entry.
func (c *compiler) policyMatches(n *Node, what string, vars Lookup) (bool, error) {
	if n.Kind != Map {
		refs, err := asStrings(n, what)
		if err != nil {
			return false, err
		}
		return c.refsMatch(refs, n, vars)
	}
	if err := checkKeys(n, what, "refs", "variables", "changes", "kubernetes"); err != nil {
		return false, err
	}
	if r := n.Get("refs"); r != nil {
		refs, err := asStrings(r, what+":refs")
		if err != nil {
			return false, err
		}
		if ok, err := c.refsMatch(refs, r, vars); err != nil || !ok {
			return false, err
		}
	}
	if v := n.Get("variables"); v != nil {
		exprs, err := asStrings(v, what+":variables")
		if err != nil {
			return false, err
		}
		any := false
		for _, src := range exprs {
			e, err := ParseExpr(src)
			if err != nil {
				return false, errAt(v, "invalid expression %q in %s:variables: %v", src, what, err)
			}
			any = any || e.Eval(vars)
		}
		if !any {
			return false, nil
		}
	}
	if ch := n.Get("changes"); ch != nil {
		if ok, err := c.evalChanges(ch, vars); err != nil || !ok {
			return false, err
		}
	}
	if k := n.Get("kubernetes"); k != nil {
		return false, nil // no Kubernetes integration in a local pipeline
	}
	return true, nil
}

// refSources maps the only/except keywords for pipeline sources to
// CI_PIPELINE_SOURCE values.
var refSources = map[string][]string{
	"api": {"api"}, "chat": {"chat"}, "external": {"external"}, "external_pull_requests": {"external_pull_request_event"},
	"merge_requests": {"merge_request_event"}, "pipelines": {"pipeline", "parent_pipeline"}, "pushes": {"push"},
	"schedules": {"schedule"}, "triggers": {"trigger"}, "web": {"web"},
}

// refsMatch checks only/except refs for this pipeline.
func (c *compiler) refsMatch(refs []string, n *Node, vars Lookup) (bool, error) {
	ref, _ := vars("CI_COMMIT_REF_NAME")
	_, isTag := vars("CI_COMMIT_TAG")
	projectPath, _ := vars("CI_PROJECT_PATH")
	source, _ := vars("CI_PIPELINE_SOURCE") // --var CI_PIPELINE_SOURCE=schedule emulates a schedule
	for _, r := range refs {
		if at := strings.LastIndexByte(r, '@'); at > 0 && !strings.HasPrefix(r, "/") {
			if r[at+1:] != projectPath {
				continue
			}
			r = r[:at]
		}
		switch r {
		case "branches":
			if !isTag {
				return true, nil
			}
			continue
		case "tags":
			if isTag {
				return true, nil
			}
			continue
		}
		if want, ok := refSources[r]; ok {
			if contains(want, source) {
				return true, nil
			}
			continue
		}
		if strings.HasPrefix(r, "/") && len(r) > 1 {
			re, err := compileRegexp(r)
			if err != nil {
				return false, errAt(n, "%v", err)
			}
			if re.MatchString(ref) {
				return true, nil
			}
			continue
		}
		if r == ref {
			return true, nil
		}
	}
	return false, nil
}
