package client

import "github.com/jobrun/jobrun/internal/job"

// Secrets lists the values of a job payload that must be registered with
// the job's masker before anything runs: the job token (which also covers
// CI_REPOSITORY_URL, where GitLab embeds it unmasked), every masked
// variable, the dependencies' tokens and registry passwords. Empty values
// and duplicates are left out.
func Secrets(p *job.Payload) []string {
	seen := map[string]bool{}
	var out []string
	add := func(v string) {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	add(p.Token)
	for _, v := range p.Variables.MaskedValues() {
		add(v)
	}
	for _, d := range p.Dependencies {
		add(d.Token)
	}
	for _, c := range p.Credentials {
		add(c.Password)
	}
	return out
}
