package pipeline

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// jobKeywords are the keys a job may have.
var jobKeywords = []string{
	"after_script", "allow_failure", "artifacts", "before_script", "cache", "coverage",
	"dast_configuration", "dependencies", "environment", "except", "extends", "hooks",
	"identity", "id_tokens", "image", "inherit", "interruptible", "manual_confirmation", "needs",
	"only", "pages", "parallel", "publish", "release", "resource_group", "retry", "rules", "run",
	"script", "secrets", "services", "stage", "start_in", "tags", "timeout", "trigger", "type",
	"variables", "when",
}

// ruleKeywords are the keys of a job's rule.
var ruleKeywords = []string{"if", "changes", "exists", "when", "allow_failure", "variables", "needs", "start_in", "interruptible"}

// jobSpec is one job instance on its way to the plan.
type jobSpec struct {
	job       *Job
	base      string // the name before parallel expansion
	node      *Node  // with defaults applied
	needsNode *Node  // from the job or the matching rule
}

// buildJobs builds every visible job, in configuration order.
func (c *compiler) buildJobs() error {
	c.plan.Jobs = []*Job{}
	for _, p := range c.root.Pairs {
		if topKeywords[p.Key] || isHidden(p.Key) {
			continue
		}
		if err := c.buildJob(p); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) buildJob(p Pair) error {
	name, node := p.Key, p.Val
	if err := checkKeys(node, "job "+quote(name), jobKeywords...); err != nil {
		return err
	}
	if node.Get("script") == nil && node.Get("run") == nil && node.Get("trigger") == nil {
		return &Error{Pos: p.KeyPos, Msg: "job " + quote(name) + " has no script; expected script:, run: or trigger:"}
	}
	if node.Get("rules") != nil && (node.Get("only") != nil || node.Get("except") != nil) {
		return errAt(node.Get("rules"), "job %q uses rules together with only/except; expected one of them", name)
	}
	node, inheritGlobals, err := c.applyDefaults(name, node)
	if err != nil {
		return err
	}
	stage := "test"
	if s := node.Get("stage"); s != nil {
		if stage, err = asString(s, name+":stage"); err != nil {
			return err
		}
	}
	if !contains(c.stages, stage) {
		at := node.Get("stage")
		if at == nil { // the default stage "test", absent from stages:
			at = &Node{Pos: p.KeyPos}
		}
		return errAt(at, "job %q uses stage %q, which is not in stages; expected one of: %s", name, stage, strings.Join(c.stages, ", "))
	}
	instances, err := parseParallel(node.Get("parallel"), name)
	if err != nil {
		return err
	}
	for _, inst := range instances {
		spec := &jobSpec{base: name, node: node}
		spec.job = &Job{Name: inst.name, Stage: stage, Pos: p.KeyPos, Parallel: inst.parallel}
		included, err := c.buildInstance(spec, inst, inheritGlobals)
		if err != nil {
			return err
		}
		if included {
			c.specs = append(c.specs, spec)
		}
	}
	return nil
}

// applyDefaults fills keywords the job does not set from default: (and
// the legacy top-level keywords), as far as inherit:default allows, and
// says which global variables the job inherits (nil: all).
func (c *compiler) applyDefaults(name string, node *Node) (*Node, func(string) bool, error) {
	inheritDefault, inheritVars := func(string) bool { return true }, func(string) bool { return true }
	if inh := node.Get("inherit"); inh != nil {
		if err := mustMap(inh, name+":inherit"); err != nil {
			return nil, nil, err
		}
		if err := checkKeys(inh, "inherit", "default", "variables"); err != nil {
			return nil, nil, err
		}
		var err error
		if inheritDefault, err = inheritFilter(inh.Get("default"), name+":inherit:default"); err != nil {
			return nil, nil, err
		}
		if inheritVars, err = inheritFilter(inh.Get("variables"), name+":inherit:variables"); err != nil {
			return nil, nil, err
		}
	}
	for _, p := range c.defaults.Pairs {
		if node.Get(p.Key) == nil && inheritDefault(p.Key) {
			node = with(node, p.Key, p.Val)
		}
	}
	return node, inheritVars, nil
}

// inheritFilter reads inherit:default / inherit:variables: true, false or
// a list of names.
func inheritFilter(n *Node, what string) (func(string) bool, error) {
	if n == nil {
		return func(string) bool { return true }, nil
	}
	if n.Kind == Scalar && n.Tag == "!!bool" {
		b, err := asBool(n, what)
		return func(string) bool { return b }, err
	}
	names, err := asStrings(n, what)
	if err != nil {
		return nil, errAt(n, "%s is %s; expected true, false or a list of names", what, n.Describe())
	}
	return func(k string) bool { return contains(names, k) }, nil
}

// buildInstance evaluates rules and fills the job and its payload; it
// reports whether the job is in the pipeline.
func (c *compiler) buildInstance(spec *jobSpec, inst instance, inheritGlobals func(string) bool) (bool, error) {
	j, node := spec.job, spec.node
	vs := append(job.Variables(nil), c.predefined...)
	set := func(k, v string) { vs.Set(job.Variable{Key: k, Value: v, Public: true}) }
	set("CI_JOB_NAME", j.Name)
	set("CI_JOB_NAME_SLUG", slug(j.Name, 63))
	set("CI_JOB_STAGE", j.Stage)
	set("CI_NODE_TOTAL", "1")
	if inst.parallel != nil {
		set("CI_NODE_INDEX", strconv.Itoa(inst.parallel.Index))
		set("CI_NODE_TOTAL", strconv.Itoa(inst.parallel.Total))
	}
	for _, g := range c.globals {
		if inheritGlobals(g.Key) {
			setYAML(&vs, []yamlVariable{g})
		}
	}
	setYAML(&vs, c.workflowVars)
	jobVars, err := parseVariables(node.Get("variables"), j.Name+":variables")
	if err != nil {
		return false, err
	}
	setYAML(&vs, jobVars)
	for _, kv := range inst.matrix {
		set(kv[0], kv[1])
	}
	withOverrides := func(vs job.Variables) job.Variables {
		out := append(job.Variables(nil), vs...)
		for _, v := range c.opts.FileVars {
			out.Set(v)
		}
		for _, v := range c.opts.CLIVars {
			out.Set(v)
		}
		return out
	}
	outcome, err := c.evaluateJobRules(spec, expandedLookup(withOverrides(vs)))
	if err != nil || !outcome.included {
		if err == nil {
			c.plan.Excluded = append(c.plan.Excluded, Excluded{Name: j.Name, Reason: outcome.reason})
		}
		return false, err
	}
	setYAML(&vs, outcome.vars)
	if j.Manual {
		set("CI_JOB_MANUAL", "true")
	}
	vs = withOverrides(vs)
	if err := c.fillJob(spec, vs); err != nil {
		return false, err
	}
	return true, nil
}

// jobOutcome is what rules (or only/except) decided.
type jobOutcome struct {
	included bool
	reason   string
	vars     []yamlVariable
}

var whenValues = []string{"on_success", "on_failure", "always", "manual", "delayed", "never"}

// evaluateJobRules decides whether the job runs and sets when,
// allow_failure, start_in and needs from the job and its matching rule.
func (c *compiler) evaluateJobRules(spec *jobSpec, vars Lookup) (jobOutcome, error) {
	j, node := spec.job, spec.node
	when, err := whenOf(node.Get("when"), j.Name+":when")
	if err != nil {
		return jobOutcome{}, err
	}
	out := jobOutcome{included: true}
	var rule *Node
	if rules := node.Get("rules"); rules != nil {
		rule, err = c.matchRules(rules, vars, j.Name+":rules", ruleKeywords...)
		if err != nil {
			return out, err
		}
		if rule == nil {
			return jobOutcome{reason: "rules: no rule matches"}, nil
		}
		if w := rule.Get("when"); w != nil {
			if when, err = whenOf(w, j.Name+":rules:when"); err != nil {
				return out, err
			}
		}
		j.Rule = describeRule(rule)
		if out.vars, err = parseVariables(rule.Get("variables"), j.Name+":rules:variables"); err != nil {
			return out, err
		}
	} else {
		ok, err := c.onlyExcept(node.Get("only"), node.Get("except"), vars)
		if err != nil {
			return out, err
		}
		if !ok {
			return jobOutcome{reason: "only/except: not for this ref"}, nil
		}
		j.Rule = "always (no rules)"
		if node.Get("only") != nil || node.Get("except") != nil {
			j.Rule = "only/except match"
		}
	}
	if when == "never" {
		return jobOutcome{reason: "when: never"}, nil
	}
	j.When, j.Manual = when, when == "manual"
	if err := c.allowFailure(j, node, rule); err != nil {
		return out, err
	}
	spec.needsNode = node.Get("needs")
	if rule != nil && rule.Get("needs") != nil {
		spec.needsNode = rule.Get("needs")
	}
	startIn := node.Get("start_in")
	if rule != nil && rule.Get("start_in") != nil {
		startIn = rule.Get("start_in")
	}
	if when == "delayed" {
		if j.StartIn, err = asString(startIn, j.Name+":start_in"); err != nil {
			return out, err
		}
		if j.StartIn == "" {
			return out, errAt(node, "job %q is delayed but has no start_in; expected a duration such as 30 minutes", j.Name)
		}
	}
	return out, nil
}

func whenOf(n *Node, what string) (string, error) {
	if n == nil {
		return "on_success", nil
	}
	s, err := asString(n, what)
	if err != nil {
		return "", err
	}
	if !contains(whenValues, s) {
		return "", errAt(n, "%s is %q; expected one of: %s", what, s, strings.Join(whenValues, ", "))
	}
	return s, nil
}

// allowFailure applies the job's and the rule's allow_failure; manual
// jobs allow failure unless a rule made them manual.
func (c *compiler) allowFailure(j *Job, node, rule *Node) error {
	src := node.Get("allow_failure")
	if rule != nil && rule.Get("allow_failure") != nil {
		src = rule.Get("allow_failure")
	}
	if src == nil {
		j.AllowFailure = j.Manual && (rule == nil || rule.Get("when") == nil)
		return nil
	}
	if src.Kind == Map {
		if err := checkKeys(src, "allow_failure", "exit_codes"); err != nil {
			return err
		}
		codes, err := asInts(src.Get("exit_codes"), j.Name+":allow_failure:exit_codes")
		if err != nil {
			return err
		}
		j.AllowFailureExitCodes = codes
		return nil
	}
	b, err := asBool(src, j.Name+":allow_failure")
	j.AllowFailure = b
	return err
}

func asInts(n *Node, what string) ([]int, error) {
	if n == nil {
		return nil, nil
	}
	items := []*Node{n}
	if n.Kind == Seq {
		items = n.Items
	}
	out := make([]int, 0, len(items))
	for _, it := range items {
		v, err := asInt(it, what)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func describeRule(rule *Node) string {
	var parts []string
	for _, k := range []string{"if", "changes", "exists"} {
		if v := rule.Get(k); v != nil {
			if v.Kind == Scalar {
				parts = append(parts, k+": "+v.Value)
			} else {
				parts = append(parts, k)
			}
		}
	}
	if len(parts) == 0 {
		return fmt.Sprintf("rules:%d:%d (unconditional)", rule.Pos.Line, rule.Pos.Col)
	}
	return "rules: " + strings.Join(parts, " and ")
}
