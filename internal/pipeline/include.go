package pipeline

import (
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// GitLab's limits on includes.
const (
	maxIncludes     = 150
	maxIncludeDepth = 100
)

// includeEntry is one entry of `include:`.
type includeEntry struct {
	kind   string // local, remote, project, template, component, artifact
	target string
	files  []string // include:project:file
	rules  *Node
	inputs *Node
	node   *Node
}

// includeState is shared by the whole include tree.
type includeState struct {
	seen  map[string]bool
	count int
	vars  Lookup
}

// includes merges every included file into the root: included files in
// order (each after its own includes), the including file last, so that
// it overrides what it includes.
func (c *compiler) includes() error {
	st := &includeState{seen: map[string]bool{c.mainFile: true}, vars: c.includeLookup()}
	root, err := c.expandIncludes(c.root, 0, st)
	if err != nil {
		return err
	}
	c.root = root
	return nil
}

// includeLookup is what include paths and include rules can see:
// predefined, the main file's global variables, the variables file and
// the command line.
func (c *compiler) includeLookup() Lookup {
	vs := append(c.predefined[:0:0], c.predefined...)
	if yvs, err := parseVariables(c.root.Get("variables"), "variables"); err == nil {
		setYAML(&vs, yvs)
	}
	vs = append(vs, c.opts.FileVars...)
	vs = append(vs, c.opts.CLIVars...)
	return expandedLookup(vs)
}

func (c *compiler) expandIncludes(doc *Node, depth int, st *includeState) (*Node, error) {
	inc := doc.Get("include")
	if inc == nil {
		return doc, nil
	}
	if depth >= maxIncludeDepth {
		return nil, errAt(inc, "includes are nested more than %d deep", maxIncludeDepth)
	}
	entries, err := parseIncludes(inc)
	if err != nil {
		return nil, err
	}
	acc := &Node{Kind: Map, Tag: "!!map", Pos: doc.Pos}
	for _, e := range entries {
		if e.rules != nil {
			rule, err := c.matchRules(e.rules, st.vars, "include rules", "if", "exists", "changes", "when")
			if err != nil {
				return nil, err
			}
			if rule == nil || ruleWhen(rule) == "never" {
				continue
			}
		}
		docs, err := c.loadInclude(e, st.vars)
		if err != nil {
			return nil, err
		}
		for _, d := range docs {
			if st.seen[d.name] {
				continue
			}
			st.seen[d.name] = true
			if st.count++; st.count > maxIncludes {
				return nil, errAt(e.node, "more than %d files are included; GitLab allows at most %d", maxIncludes, maxIncludes)
			}
			merged, err := c.expandIncludes(d.node, depth+1, st)
			if err != nil {
				return nil, err
			}
			acc = deepMerge(acc, merged)
		}
	}
	return deepMerge(acc, without(doc, "include")), nil
}

func ruleWhen(rule *Node) string {
	if w := rule.Get("when"); w != nil && w.Kind == Scalar {
		return w.Value
	}
	return ""
}

// parseIncludes reads the forms of `include:`: a string, a mapping, or a
// list of both.
func parseIncludes(n *Node) ([]includeEntry, error) {
	items := []*Node{n}
	if n.Kind == Seq {
		items = n.Items
	}
	out := make([]includeEntry, 0, len(items))
	for _, it := range items {
		e, err := parseInclude(it)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func parseInclude(n *Node) (includeEntry, error) {
	e := includeEntry{node: n}
	if n.Kind == Scalar && !n.IsNull() {
		e.kind, e.target = "local", n.Value
		if strings.HasPrefix(n.Value, "https://") || strings.HasPrefix(n.Value, "http://") {
			e.kind = "remote"
		}
		return e, nil
	}
	if n.Kind != Map {
		return e, errAt(n, "include entry is %s; expected a file path or a mapping with local, remote, project, template or component", n.Describe())
	}
	if err := checkKeys(n, "include", "local", "remote", "project", "file", "ref", "template", "component", "artifact", "job", "rules", "inputs", "cache", "integrity"); err != nil {
		return e, err
	}
	for _, k := range []string{"local", "remote", "project", "template", "component", "artifact"} {
		if v := n.Get(k); v != nil {
			s, err := asString(v, "include:"+k)
			if err != nil {
				return e, err
			}
			if e.kind != "" {
				return e, errAt(v, "include entry has both %s and %s; expected exactly one", e.kind, k)
			}
			e.kind, e.target = k, s
		}
	}
	if e.kind == "" {
		return e, errAt(n, "include entry has none of local, remote, project, template, component; expected one")
	}
	if e.kind == "project" {
		files, err := asStrings(n.Get("file"), "include:file")
		if err != nil {
			return e, err
		}
		e.files = files
	}
	e.inputs = n.Get("inputs")
	e.rules = n.Get("rules")
	if e.rules != nil && e.rules.Kind != Seq {
		return e, errAt(e.rules, "include:rules is %s; expected a list of rules", e.rules.Describe())
	}
	return e, nil
}

// includedDoc is one loaded file.
type includedDoc struct {
	name string
	node *Node
}

func (c *compiler) loadInclude(e includeEntry, vars Lookup) ([]includedDoc, error) {
	target := expandExisting(e.target, vars)
	switch e.kind {
	case "local":
		return c.loadLocal(e, target)
	case "remote":
		data, err := c.fetchRemote(e.node, target)
		if err != nil {
			return nil, err
		}
		name := target
		if u, err := url.Parse(target); err == nil {
			name = redactURL(u)
		}
		f, err := c.parse(name, data)
		if err != nil {
			return nil, err
		}
		node, err := applyInputs(f, e.inputs, e.node)
		if err != nil {
			return nil, err
		}
		return []includedDoc{{name: name, node: node}}, nil
	case "project":
		return nil, errAt(e.node, "include:project %q (%s) is on a GitLab instance and cannot be resolved locally; copy the file into this repository and use include:local, or include it with include:remote and its raw URL", target, strings.Join(e.files, ", "))
	case "template":
		return nil, errAt(e.node, "include:template %q is a GitLab template and cannot be resolved locally; include it with include:remote from https://gitlab.com/gitlab-org/gitlab/-/raw/master/lib/gitlab/ci/templates/%s", target, target)
	case "component":
		return nil, errAt(e.node, "include:component %q is a CI/CD component on a GitLab instance and cannot be resolved locally; copy its template into this repository and use include:local with its inputs", target)
	}
	return nil, errAt(e.node, "include:artifact %q only exists in a running parent pipeline; it cannot be resolved locally", target)
}

// loadLocal reads a local include: a path from the project root, or a glob.
func (c *compiler) loadLocal(e includeEntry, target string) ([]includedDoc, error) {
	n := e.node
	rel := strings.TrimPrefix(filepath.ToSlash(target), "/")
	if rel == "" || strings.Contains("/"+rel+"/", "/../") {
		return nil, errAt(n, "include:local %q must be a path inside the project", target)
	}
	names := []string{rel}
	if hasGlobMeta(rel) {
		names = names[:0]
		for _, f := range c.projectFiles() {
			if matchGlob(rel, f) && isYAMLName(f) {
				names = append(names, f)
			}
		}
		sort.Strings(names)
		if len(names) == 0 {
			return nil, errAt(n, "include:local %q matches no .yml or .yaml file in the project", target)
		}
	} else if !isYAMLName(rel) {
		return nil, errAt(n, "include:local %q must be a .yml or .yaml file", target)
	}
	out := make([]includedDoc, 0, len(names))
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(c.opts.Dir, filepath.FromSlash(name)))
		if err != nil {
			return nil, errAt(n, "include:local %q: %s in the project directory", name, errText(err))
		}
		f, err := c.parse(name, data)
		if err != nil {
			return nil, err
		}
		node, err := applyInputs(f, e.inputs, n)
		if err != nil {
			return nil, err
		}
		out = append(out, includedDoc{name: name, node: node})
	}
	return out, nil
}

func isYAMLName(s string) bool { return strings.HasSuffix(s, ".yml") || strings.HasSuffix(s, ".yaml") }
