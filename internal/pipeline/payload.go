package pipeline

import (
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// fillJob reads the job's keywords into its scheduling facts and payload.
func (c *compiler) fillJob(spec *jobSpec, vs job.Variables) error {
	j, node := spec.job, spec.node
	lookup := expandedLookup(vs)
	timeout := defaultTimeout
	if t := node.Get("timeout"); t != nil {
		s, err := scalarString(t, j.Name+":timeout")
		if err != nil {
			return err
		}
		if timeout, err = parseDuration(s); err != nil {
			return errAt(t, "%s:timeout %q: %v", j.Name, s, err)
		}
	}
	if err := c.jobFacts(j, node, lookup, &vs); err != nil {
		return err
	}
	var err error
	p := &j.Payload
	p.JobInfo = job.JobInfo{Name: j.Name, Stage: j.Stage, PipelineID: localPipelineID, ProjectID: localProjectID,
		ProjectName: lookupValue(lookup, "CI_PROJECT_NAME"), ProjectFullPath: lookupValue(lookup, "CI_PROJECT_PATH")}
	p.GitInfo = c.gitInfo()
	p.RunnerInfo = job.RunnerInfo{Timeout: timeout}
	p.Variables = vs
	p.Features = job.Features{TraceSections: true}
	p.Hooks, p.Services, p.Artifacts, p.Cache, p.Credentials, p.Dependencies = []job.Hook{}, []job.Service{}, []job.Artifact{}, []job.Cache{}, []job.Credential{}, []job.Dependency{}
	if p.Steps, err = parseSteps(node, j.Name, timeout); err != nil {
		return err
	}
	if p.Hooks, err = parseHooks(node.Get("hooks"), j.Name); err != nil {
		return err
	}
	if img := node.Get("image"); img != nil {
		if p.Image, err = parseImage(img, j.Name+":image", lookup); err != nil {
			return err
		}
	}
	if p.Services, err = parseServices(node.Get("services"), j.Name, lookup); err != nil {
		return err
	}
	if p.Artifacts, err = parseArtifacts(node.Get("artifacts"), j.Name); err != nil {
		return err
	}
	if p.Cache, err = c.parseCaches(node.Get("cache"), j.Name, lookup); err != nil {
		return err
	}
	if r := node.Get("run"); r != nil && node.Get("script") == nil {
		c.note("job " + j.Name + " uses run: (CI/CD steps), which the local runner does not execute")
	}
	return nil
}

// jobFacts reads the scheduling facts GitLab keeps outside the payload,
// and adds the CI_ENVIRONMENT_* variables.
func (c *compiler) jobFacts(j *Job, node *Node, lookup Lookup, vs *job.Variables) error {
	var err error
	if j.Retry, err = parseRetry(node.Get("retry"), j.Name); err != nil {
		return err
	}
	if j.Tags, err = asStrings(node.Get("tags"), j.Name+":tags"); err != nil {
		return err
	}
	for i, t := range j.Tags {
		j.Tags[i] = expandExisting(t, lookup)
	}
	if j.Interruptible, err = asBool(node.Get("interruptible"), j.Name+":interruptible"); err != nil {
		return err
	}
	if j.ResourceGroup, err = asString(node.Get("resource_group"), j.Name+":resource_group"); err != nil {
		return err
	}
	if j.Coverage, err = asString(node.Get("coverage"), j.Name+":coverage"); err != nil {
		return err
	}
	if j.IDTokens, err = parseIDTokens(node.Get("id_tokens"), j.Name); err != nil {
		return err
	}
	if j.Environment, err = parseEnvironment(node.Get("environment"), j.Name, lookup); err != nil {
		return err
	}
	if e := j.Environment; e != nil {
		for _, kv := range [][2]string{{"CI_ENVIRONMENT_NAME", e.Name}, {"CI_ENVIRONMENT_SLUG", slug(e.Name, 24)}, {"CI_ENVIRONMENT_URL", e.URL}, {"CI_ENVIRONMENT_ACTION", e.Action}, {"CI_ENVIRONMENT_TIER", e.Tier}} {
			if kv[1] != "" {
				insertPredefined(vs, job.Variable{Key: kv[0], Value: kv[1], Public: true})
			}
		}
	}
	if j.Trigger, err = c.parseTrigger(node.Get("trigger"), j.Name); err != nil {
		return err
	}
	return nil
}

// insertPredefined sets a predefined variable without overriding a
// variable the user defined with the same name.
func insertPredefined(vs *job.Variables, v job.Variable) {
	if _, ok := vs.Get(v.Key); !ok {
		*vs = append(job.Variables{v}, *vs...)
	}
}

func lookupValue(l Lookup, k string) string {
	v, _ := l(k)
	return v
}

// gitInfo is the same for every job; it is built once and copied.
func (c *compiler) gitInfo() job.GitInfo {
	if c.git == nil {
		gi := c.buildGitInfo()
		c.git = &gi
	}
	gi := *c.git
	gi.Refspecs = append([]string{}, c.git.Refspecs...)
	return gi
}

func (c *compiler) buildGitInfo() job.GitInfo {
	lookup := c.pipelineLookup()
	gi := job.GitInfo{Ref: lookupValue(lookup, "CI_COMMIT_REF_NAME"), Sha: lookupValue(lookup, "CI_COMMIT_SHA"),
		BeforeSha: zeroSHA, RefType: job.RefTypeBranch, Depth: gitDepth, Refspecs: []string{}}
	protected := lookupValue(lookup, "CI_COMMIT_REF_PROTECTED") == "true"
	gi.Protected = &protected
	if c.opts.Tag != "" {
		gi.RefType = job.RefTypeTag
		gi.Refspecs = []string{"+refs/tags/" + gi.Ref + ":refs/tags/" + gi.Ref}
	} else if gi.Ref != "" {
		gi.Refspecs = []string{"+refs/heads/" + gi.Ref + ":refs/remotes/origin/" + gi.Ref}
	}
	return gi
}

// parseSteps builds the script step (before_script + script) and the
// after_script step, as GitLab does.
func parseSteps(node *Node, name string, timeout int) ([]job.Step, error) {
	before, err := asStrings(node.Get("before_script"), name+":before_script")
	if err != nil {
		return nil, err
	}
	script, err := asStrings(node.Get("script"), name+":script")
	if err != nil {
		return nil, err
	}
	after, err := asStrings(node.Get("after_script"), name+":after_script")
	if err != nil {
		return nil, err
	}
	if node.Get("script") == nil {
		return []job.Step{}, nil
	}
	steps := []job.Step{{Name: job.StepScript, Script: append(before, script...), Timeout: timeout, When: job.WhenOnSuccess}}
	if len(after) > 0 {
		steps = append(steps, job.Step{Name: job.StepAfterScript, Script: after, Timeout: timeout, When: job.WhenAlways, AllowFailure: true})
	}
	return steps, nil
}

func parseHooks(n *Node, name string) ([]job.Hook, error) {
	if n == nil {
		return []job.Hook{}, nil
	}
	if err := mustMap(n, name+":hooks"); err != nil {
		return nil, err
	}
	if err := checkKeys(n, "hooks", "pre_get_sources_script"); err != nil {
		return nil, err
	}
	script, err := asStrings(n.Get("pre_get_sources_script"), name+":hooks:pre_get_sources_script")
	if err != nil || len(script) == 0 {
		return []job.Hook{}, err
	}
	return []job.Hook{{Name: "pre_get_sources_script", Script: script}}, nil
}

func parseRetry(n *Node, name string) (Retry, error) {
	var r Retry
	if n == nil {
		return r, nil
	}
	var err error
	if n.Kind == Map {
		if err := checkKeys(n, "retry", "max", "when", "exit_codes"); err != nil {
			return r, err
		}
		if m := n.Get("max"); m != nil {
			if r.Max, err = asInt(m, name+":retry:max"); err != nil {
				return r, err
			}
		}
		if r.When, err = asStrings(n.Get("when"), name+":retry:when"); err != nil {
			return r, err
		}
		if r.ExitCodes, err = asInts(n.Get("exit_codes"), name+":retry:exit_codes"); err != nil {
			return r, err
		}
	} else if r.Max, err = asInt(n, name+":retry"); err != nil {
		return r, err
	}
	if r.Max < 0 || r.Max > 2 {
		return r, errAt(n, "%s:retry is %d; expected 0, 1 or 2", name, r.Max)
	}
	return r, nil
}

func parseIDTokens(n *Node, name string) (map[string]IDToken, error) {
	if n == nil {
		return nil, nil
	}
	if err := mustMap(n, name+":id_tokens"); err != nil {
		return nil, err
	}
	out := map[string]IDToken{}
	for _, p := range n.Pairs {
		if err := mustMap(p.Val, name+":id_tokens:"+p.Key); err != nil {
			return nil, err
		}
		aud, err := asStrings(p.Val.Get("aud"), name+":id_tokens:"+p.Key+":aud")
		if err != nil {
			return nil, err
		}
		out[p.Key] = IDToken{Aud: aud}
	}
	return out, nil
}

func parseEnvironment(n *Node, name string, vars Lookup) (*Environment, error) {
	if n == nil {
		return nil, nil
	}
	e := &Environment{Action: "start"}
	if n.Kind == Scalar {
		e.Name = expandExisting(n.Value, vars)
		return e, nil
	}
	if err := mustMap(n, name+":environment"); err != nil {
		return nil, err
	}
	if err := checkKeys(n, "environment", "name", "url", "action", "on_stop", "deployment_tier", "kubernetes", "auto_stop_in"); err != nil {
		return nil, err
	}
	fields := []struct {
		key string
		dst *string
	}{{"name", &e.Name}, {"url", &e.URL}, {"action", &e.Action}, {"on_stop", &e.OnStop}, {"deployment_tier", &e.Tier}}
	for _, f := range fields {
		if v := n.Get(f.key); v != nil {
			s, err := asString(v, name+":environment:"+f.key)
			if err != nil {
				return nil, err
			}
			*f.dst = expandExisting(s, vars)
		}
	}
	if e.Name == "" {
		return nil, errAt(n, "%s:environment has no name; expected environment:name", name)
	}
	return e, nil
}

// splitWords splits a command given as a string, as GitLab does for
// image entrypoint and service command given as one string.
func splitWords(n *Node, what string) ([]string, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == Scalar {
		return strings.Fields(n.Value), nil
	}
	return asStrings(n, what)
}
