package pipeline

import "github.com/jobrun/jobrun/internal/job"

// defaultKeywords may appear under `default:`.
var defaultKeywords = []string{
	"after_script", "artifacts", "before_script", "cache", "hooks", "id_tokens", "image",
	"interruptible", "retry", "services", "tags", "timeout",
}

// legacyDefaults are the top-level keywords that act as defaults.
var legacyDefaults = []string{"image", "services", "cache", "before_script", "after_script"}

// globalKeywords reads stages, global variables and defaults.
func (c *compiler) globalKeywords() error {
	stagesNode := c.root.Get("stages")
	if stagesNode == nil {
		stagesNode = c.root.Get("types")
	}
	stages := []string{"build", "test", "deploy"}
	if stagesNode != nil {
		var err error
		if stages, err = asStrings(stagesNode, "stages"); err != nil {
			return err
		}
	}
	c.stages = []string{".pre"}
	for _, s := range stages {
		if s != ".pre" && s != ".post" && !contains(c.stages, s) {
			c.stages = append(c.stages, s)
		}
	}
	c.stages = append(c.stages, ".post")
	c.plan.Stages = c.stages

	globals, err := parseVariables(c.root.Get("variables"), "variables")
	if err != nil {
		return err
	}
	c.globals = globals

	def := c.root.Get("default")
	if def == nil {
		def = &Node{Kind: Map, Tag: "!!map"}
	}
	if err := mustMap(def, "default"); err != nil {
		return err
	}
	if err := checkKeys(def, "default", defaultKeywords...); err != nil {
		return err
	}
	for _, k := range legacyDefaults {
		if v := c.root.Get(k); v != nil && def.Get(k) == nil {
			def = with(def, k, v)
		}
	}
	c.defaults = def
	for _, p := range c.root.Pairs {
		if !topKeywords[p.Key] && !isHidden(p.Key) && p.Val.Kind != Map {
			return &Error{Pos: p.KeyPos, Msg: "job " + quote(p.Key) + " is " + p.Val.Describe() + "; expected a mapping of job keywords (or a top-level keyword)"}
		}
	}
	return nil
}

// pipelineExcluded names the whole pipeline in Plan.Excluded.
const pipelineExcluded = "(pipeline)"

func isHidden(name string) bool { return len(name) > 0 && name[0] == '.' }

// workflow applies workflow:rules: no matching rule, or a matching rule
// with when: never, means no pipeline.
func (c *compiler) workflow() error {
	wf := c.root.Get("workflow")
	if wf == nil {
		return nil
	}
	if err := mustMap(wf, "workflow"); err != nil {
		return err
	}
	if err := checkKeys(wf, "workflow", "rules", "name", "auto_cancel"); err != nil {
		return err
	}
	if rules := wf.Get("rules"); rules != nil {
		rule, err := c.matchRules(rules, c.pipelineLookup(), "workflow:rules", "if", "changes", "exists", "when", "variables", "auto_cancel")
		if err != nil {
			return err
		}
		if rule == nil || ruleWhen(rule) == "never" {
			reason := "workflow:rules: no rule matches"
			if rule != nil {
				reason = "workflow:rules: when: never"
			}
			c.plan.Excluded = append(c.plan.Excluded, Excluded{Name: pipelineExcluded, Reason: reason})
			c.plan.Jobs = []*Job{}
			c.stopped = true
			return nil
		}
		if c.workflowVars, err = parseVariables(rule.Get("variables"), "workflow:rules:variables"); err != nil {
			return err
		}
	}
	if name := wf.Get("name"); name != nil {
		s, err := asString(name, "workflow:name")
		if err != nil {
			return err
		}
		c.plan.Name = expand(s, c.pipelineLookup())
		c.predefined.Set(job.Variable{Key: "CI_PIPELINE_NAME", Value: c.plan.Name, Public: true})
	}
	return nil
}

// pipelineVars are the pipeline-level variables by precedence:
// predefined < global < workflow rules < variables file < command line.
func (c *compiler) pipelineVars() job.Variables {
	vs := append(job.Variables(nil), c.predefined...)
	setYAML(&vs, c.globals)
	setYAML(&vs, c.workflowVars)
	for _, v := range c.opts.FileVars {
		vs.Set(v)
	}
	for _, v := range c.opts.CLIVars {
		vs.Set(v)
	}
	return vs
}

func (c *compiler) pipelineLookup() Lookup { return expandedLookup(c.pipelineVars()) }
