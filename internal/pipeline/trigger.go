package pipeline

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
