package runner

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSelectLocal(t *testing.T) {
	t.Parallel()
	need := func(names ...string) Node {
		n := Node{NeedsDeclared: true}
		for _, name := range names {
			n.Needs = append(n.Needs, Need{Name: name})
		}
		return n
	}
	jobs := []LocalJob{
		localJob("compile", "build", nil, nil, Node{}),
		localJob("lint", "build", nil, nil, Node{}),
		localJob("unit", "test", nil, nil, need("compile")),
		localJob("e2e", "test", nil, nil, need("unit", "lint")),
		localJob("deploy", "deploy", nil, nil, Node{When: WhenManual}),
	}
	tests := []struct {
		name      string
		names     []string
		withNeeds bool
		want      map[string][]string // kept job → its needs
		wantErr   string
	}{
		{"everything", nil, false, map[string][]string{"compile": nil, "lint": nil, "unit": {"compile"}, "e2e": {"unit", "lint"}, "deploy": nil}, ""},
		{"one job, needs taken as met", []string{"e2e"}, false, map[string][]string{"e2e": {}}, ""},
		{"with needs, transitively", []string{"e2e"}, true, map[string][]string{"compile": nil, "lint": nil, "unit": {"compile"}, "e2e": {"unit", "lint"}}, ""},
		{"two jobs keep the need between them", []string{"unit", "compile"}, false, map[string][]string{"compile": nil, "unit": {"compile"}}, ""},
		{"unknown job", []string{"nope"}, false, nil, `job "nope" is not in the pipeline`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := SelectLocal(jobs, tt.names, tt.withNeeds)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			kept := map[string][]string{}
			for _, lj := range got {
				var needs []string
				for _, n := range lj.Node.Needs {
					needs = append(needs, n.Name)
				}
				if needs == nil && lj.Node.NeedsDeclared {
					needs = []string{}
				}
				kept[lj.Node.Name] = needs
			}
			if diff := cmp.Diff(tt.want, kept); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if _, err := Schedule(t.Context(), Plan{Nodes: nodesOf(got)}, ScheduleOptions{}); err != nil && len(got) > 0 {
				t.Errorf("the selection is not a valid plan: %v", err)
			}
		})
	}
	if len(jobs[3].Node.Needs) != 2 {
		t.Errorf("SelectLocal changed its input: %+v", jobs[3].Node.Needs)
	}
}

// nodesOf gives each job a Run that succeeds, for validating a plan.
func nodesOf(jobs []LocalJob) []Node {
	var out []Node
	for _, lj := range jobs {
		n := lj.Node
		n.Run = func(ctx context.Context, _ int) Result { return Result{Status: StatusSuccess} }
		out = append(out, n)
	}
	return out
}
