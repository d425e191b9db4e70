package exec

import (
	"errors"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/jobrun/jobrun/internal/cmdutil"
)

// FuzzDecodeProjects feeds arbitrary jobrun.yaml `exec.projects` values
// (parsed from YAML, as the config layer hands them over) to
// decodeProjects: it never panics, every refusal is bad input (exit 2),
// and every accepted project has a directory.
func FuzzDecodeProjects(f *testing.F) {
	for _, seed := range []string{
		"- {id: 2, path: group/lib, dir: ../lib}",
		"- {id: 3, path: g/pub, dir: /srv/pub, visibility: public, job_token_scope: {allow_all_projects: true, allowlist: [g/app, '1']}}",
		"- {id: two, path: g/lib, dir: x}",
		"- {id: 2, path: g/lib, dir: x, job_token_scop: {}}",
		"- group/lib",
		"{id: 2}",
		"- {id: 2, path: g/lib, dir: x, job_token_scope: {allowlist: {a: b}}}",
		"- {id: 99999999999999999999999, path: g, dir: d}",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		var raw any
		if yaml.Unmarshal([]byte(doc), &raw) != nil {
			return
		}
		projects, err := decodeProjects(raw, "/base")
		if err != nil {
			var exitErr *cmdutil.ExitError
			if !errors.As(err, &exitErr) || exitErr.Code != cmdutil.ExitBadInput {
				t.Fatalf("refusal is not bad input: %v", err)
			}
			return
		}
		for _, p := range projects {
			if p.Dir == "" {
				t.Fatalf("project %d accepted without a directory", p.ID)
			}
		}
	})
}
