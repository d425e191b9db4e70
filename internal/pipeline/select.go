package pipeline

import (
	"fmt"
	"strings"
)

// Select keeps the named jobs (a parallel job's base name selects all
// its instances) and, with withNeeds, every job they need, transitively.
func (p *Plan) Select(names []string, withNeeds bool) (*Plan, error) {
	if len(names) == 0 {
		return p, nil
	}
	byName := map[string]*Job{}
	for _, j := range p.Jobs {
		byName[j.Name] = j
	}
	keep := map[string]bool{}
	var add func(j *Job)
	add = func(j *Job) {
		if keep[j.Name] {
			return
		}
		keep[j.Name] = true
		if withNeeds {
			for _, n := range j.Needs {
				if t := byName[n.Job]; t != nil {
					add(t)
				}
			}
		}
	}
	for _, name := range names {
		found := false
		for _, j := range p.Jobs {
			if j.Name == name || baseName(j) == name {
				add(j)
				found = true
			}
		}
		if !found {
			for _, e := range p.Excluded {
				if e.Name == name {
					return nil, fmt.Errorf("job %q is not in the pipeline (%s)", name, e.Reason)
				}
			}
			return nil, fmt.Errorf("no job %q in the pipeline; `jobrun exec --list` shows the jobs that run", name)
		}
	}
	out := *p
	out.Jobs = nil
	for _, j := range p.Jobs {
		if keep[j.Name] {
			out.Jobs = append(out.Jobs, j)
		}
	}
	return &out, nil
}

func baseName(j *Job) string {
	if j.Parallel == nil {
		return j.Name
	}
	if i := strings.Index(j.Name, ": ["); i > 0 && j.Parallel.Matrix != nil {
		return j.Name[:i]
	}
	if i := strings.LastIndexByte(j.Name, ' '); i > 0 {
		return j.Name[:i]
	}
	return j.Name
}
