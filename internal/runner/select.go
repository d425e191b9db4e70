package runner

import (
	"fmt"
	"slices"
)

// SelectLocal keeps the named jobs of a local pipeline (`jobrun exec JOB
// ...`) and, with withNeeds, every job they need, directly or not
// (`--needs`). A kept job's needs on jobs left out are dropped: running
// one job on its own means its needs are taken as met, as in
// gitlab-ci-local. Names that are not in the pipeline are an error.
func SelectLocal(jobs []LocalJob, names []string, withNeeds bool) ([]LocalJob, error) {
	if len(names) == 0 {
		return jobs, nil
	}
	index := map[string]int{}
	for i, lj := range jobs {
		index[lj.Node.Name] = i
	}
	keep := make([]bool, len(jobs))
	var queue []int
	for _, n := range names {
		i, ok := index[n]
		if !ok {
			return nil, fmt.Errorf("job %q is not in the pipeline", n)
		}
		if !keep[i] {
			keep[i] = true
			queue = append(queue, i)
		}
	}
	for withNeeds && len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		for _, need := range jobs[i].Node.Needs {
			if j, ok := index[need.Name]; ok && !keep[j] {
				keep[j] = true
				queue = append(queue, j)
			}
		}
	}
	var out []LocalJob
	for i, lj := range jobs {
		if !keep[i] {
			continue
		}
		lj.Node.Needs = slices.DeleteFunc(slices.Clone(lj.Node.Needs), func(n Need) bool {
			j, ok := index[n.Name]
			return !ok || !keep[j]
		})
		out = append(out, lj)
	}
	return out, nil
}
