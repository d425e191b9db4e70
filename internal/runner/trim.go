package runner

import "slices"

// TrimNeeds drops, from each job, the needs on jobs that are not part of
// this run: when `jobrun exec JOB` runs a job without `--needs`, what it
// needs is taken as met, as gitlab-ci-local does. Choosing the jobs is
// the pipeline compiler's (pipeline.Plan.Select); the input is not
// changed.
func TrimNeeds(jobs []LocalJob) []LocalJob {
	present := map[string]bool{}
	for _, lj := range jobs {
		present[lj.Node.Name] = true
	}
	out := make([]LocalJob, len(jobs))
	for i, lj := range jobs {
		lj.Node.Needs = slices.DeleteFunc(slices.Clone(lj.Node.Needs), func(n Need) bool { return !present[n.Name] })
		out[i] = lj
	}
	return out
}
