package pipeline

import (
	"sort"
	"strconv"
	"strings"

	"github.com/jobrun/jobrun/internal/job"
)

// maxNeeds is GitLab's limit on needs per job.
const maxNeeds = 50

// resolveNeeds turns needs: and dependencies: into job names of this
// pipeline, checks that they exist and come no later, and rejects cycles.
func (c *compiler) resolveNeeds() error {
	byBase := map[string][]*jobSpec{}
	byName := map[string]*jobSpec{}
	for _, s := range c.specs {
		byBase[s.base] = append(byBase[s.base], s)
		byName[s.job.Name] = s
	}
	defined := map[string]bool{}
	for _, p := range c.root.Pairs {
		defined[p.Key] = true
	}
	stageIndex := map[string]int{}
	for i, s := range c.stages {
		stageIndex[s] = i
	}
	for _, s := range c.specs {
		if err := c.jobNeeds(s, byBase, byName, stageIndex); err != nil {
			return err
		}
		if err := c.jobDependencies(s, byBase, defined, stageIndex); err != nil {
			return err
		}
	}
	return checkCycles(c.specs, byName)
}

func (c *compiler) jobNeeds(s *jobSpec, byBase map[string][]*jobSpec, byName map[string]*jobSpec, stageIndex map[string]int) error {
	n := s.needsNode
	if n == nil {
		return nil
	}
	if n.Kind != Seq {
		return errAt(n, "%s:needs is %s; expected a list of jobs", s.job.Name, n.Describe())
	}
	s.job.Needs = []Need{}
	items := flattenSeq(n)
	if len(items) > maxNeeds {
		return errAt(n, "%s:needs lists %d jobs; GitLab allows at most %d", s.job.Name, len(items), maxNeeds)
	}
	for _, it := range items {
		need, names, err := parseNeed(it, s.job.Name)
		if err != nil {
			return err
		}
		if need.Project != "" || need.Pipeline != "" {
			s.job.Needs = append(s.job.Needs, need)
			c.note("job " + s.job.Name + " needs " + need.Job + " from another pipeline, which a local run cannot provide")
			continue
		}
		targets := byBase[need.Job]
		if names != nil {
			targets = nil
			for _, nm := range names {
				if t := byName[nm]; t != nil {
					targets = append(targets, t)
				}
			}
		}
		if len(targets) == 0 {
			if need.Optional {
				continue
			}
			return errAt(it, "job %q needs %q, which is not in the pipeline; expected a job that exists and is not excluded by rules (or optional: true)", s.job.Name, need.Job)
		}
		for _, t := range targets {
			if stageIndex[t.job.Stage] > stageIndex[s.job.Stage] {
				return errAt(it, "job %q needs %q, which is in the later stage %q; expected a job in stage %q or earlier", s.job.Name, t.job.Name, t.job.Stage, s.job.Stage)
			}
			nd := need
			nd.Job = t.job.Name
			s.job.Needs = append(s.job.Needs, nd)
		}
	}
	return nil
}

// parseNeed reads a needs entry; names is set when the entry picks
// parallel:matrix instances.
func parseNeed(n *Node, jobName string) (Need, []string, error) {
	need := Need{Artifacts: true}
	if n.Kind == Scalar && !n.IsNull() {
		need.Job = n.Value
		return need, nil, nil
	}
	what := jobName + ":needs"
	if err := mustMap(n, what+" entry"); err != nil {
		return need, nil, err
	}
	if err := checkKeys(n, what, "job", "artifacts", "optional", "pipeline", "project", "ref", "parallel"); err != nil {
		return need, nil, err
	}
	var err error
	if need.Job, err = asString(n.Get("job"), what+":job"); err != nil {
		return need, nil, err
	}
	if need.Pipeline, err = asString(n.Get("pipeline"), what+":pipeline"); err != nil {
		return need, nil, err
	}
	if need.Project, err = asString(n.Get("project"), what+":project"); err != nil {
		return need, nil, err
	}
	if need.Ref, err = asString(n.Get("ref"), what+":ref"); err != nil {
		return need, nil, err
	}
	if need.Job == "" && need.Pipeline == "" {
		return need, nil, errAt(n, "%s entry has no job; expected job: <name>", what)
	}
	if a := n.Get("artifacts"); a != nil {
		if need.Artifacts, err = asBool(a, what+":artifacts"); err != nil {
			return need, nil, err
		}
	}
	if need.Optional, err = asBool(n.Get("optional"), what+":optional"); err != nil {
		return need, nil, err
	}
	var names []string
	if p := n.Get("parallel"); p != nil {
		insts, err := parseParallel(p, need.Job)
		if err != nil {
			return need, nil, err
		}
		for _, in := range insts {
			names = append(names, in.name)
		}
	}
	return need, names, nil
}

func (c *compiler) jobDependencies(s *jobSpec, byBase map[string][]*jobSpec, defined map[string]bool, stageIndex map[string]int) error {
	j := s.job
	j.Dependencies = []string{}
	n := s.node.Get("dependencies")
	switch {
	case n != nil:
		names, err := asStrings(n, j.Name+":dependencies")
		if err != nil {
			return err
		}
		for _, name := range names {
			if !defined[name] || isHidden(name) {
				return errAt(n, "job %q depends on %q, which is not defined; expected a job of an earlier stage", j.Name, name)
			}
			for _, t := range byBase[name] {
				if stageIndex[t.job.Stage] >= stageIndex[j.Stage] && !needsJob(j, t.job.Name) {
					return errAt(n, "job %q depends on %q of stage %q; expected a job of an earlier stage than %q", j.Name, name, t.job.Stage, j.Stage)
				}
				j.Dependencies = append(j.Dependencies, t.job.Name)
			}
		}
	case j.Needs != nil:
		for _, nd := range j.Needs {
			if nd.Artifacts && nd.Project == "" && nd.Pipeline == "" {
				j.Dependencies = append(j.Dependencies, nd.Job)
			}
		}
	default:
		for _, t := range c.specs {
			if stageIndex[t.job.Stage] < stageIndex[j.Stage] {
				j.Dependencies = append(j.Dependencies, t.job.Name)
			}
		}
	}
	return nil
}

func needsJob(j *Job, name string) bool {
	for _, n := range j.Needs {
		if n.Job == name {
			return true
		}
	}
	return false
}

// checkCycles rejects a needs graph with a cycle, naming it.
func checkCycles(specs []*jobSpec, byName map[string]*jobSpec) error {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(s *jobSpec) error
	visit = func(s *jobSpec) error {
		switch state[s.job.Name] {
		case visiting:
			i := 0
			for path[i] != s.job.Name {
				i++
			}
			return errAt(s.needsNode, "needs form a cycle: %s → %s", strings.Join(path[i:], " → "), s.job.Name)
		case done:
			return nil
		}
		state[s.job.Name] = visiting
		path = append(path, s.job.Name)
		for _, n := range s.job.Needs {
			if t := byName[n.Job]; t != nil && n.Project == "" && n.Pipeline == "" {
				if err := visit(t); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		state[s.job.Name] = done
		return nil
	}
	for _, s := range specs {
		if err := visit(s); err != nil {
			return err
		}
	}
	return nil
}

// order sorts jobs by stage (stable: configuration order within a
// stage), numbers them, and fills the ids that depend on the order.
func (c *compiler) order() error {
	stageIndex := map[string]int{}
	for i, s := range c.stages {
		stageIndex[s] = i
	}
	sort.SliceStable(c.specs, func(a, b int) bool {
		return stageIndex[c.specs[a].job.Stage] < stageIndex[c.specs[b].job.Stage]
	})
	ids := map[string]int64{}
	for i, s := range c.specs {
		ids[s.job.Name] = int64(i + 1)
	}
	server := lookupValue(c.pipelineLookup(), "CI_PROJECT_URL")
	for _, s := range c.specs {
		j := s.job
		id := ids[j.Name]
		j.Payload.ID, j.Payload.JobInfo.ID = id, id
		insertPredefined(&j.Payload.Variables, job.Variable{Key: "CI_JOB_URL", Value: server + "/-/jobs/" + strconv.FormatInt(id, 10), Public: true})
		insertPredefined(&j.Payload.Variables, job.Variable{Key: "CI_JOB_ID", Value: strconv.FormatInt(id, 10), Public: true})
		for _, d := range j.Dependencies {
			j.Payload.Dependencies = append(j.Payload.Dependencies, job.Dependency{ID: ids[d], Name: d})
		}
		for _, v := range idTokenVariables(j, c.opts.Now) {
			j.Payload.Variables.Set(v)
		}
		c.plan.Jobs = append(c.plan.Jobs, j)
	}
	return nil
}
