package runner

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestTrimNeeds(t *testing.T) {
	t.Parallel()
	needs := func(names ...string) Node {
		n := Node{NeedsDeclared: true, Needs: []Need{}}
		for _, name := range names {
			n.Needs = append(n.Needs, Need{Name: name})
		}
		return n
	}
	// "e2e" was selected with "unit" but without "lint" and "compile".
	jobs := []LocalJob{
		localJob("unit", "test", nil, nil, needs("compile")),
		localJob("e2e", "test", nil, nil, needs("unit", "lint")),
	}
	got := TrimNeeds(jobs)
	want := map[string][]Need{"unit": {}, "e2e": {{Name: "unit"}}}
	for _, lj := range got {
		if diff := cmp.Diff(want[lj.Node.Name], lj.Node.Needs); diff != "" {
			t.Errorf("%s needs (-want +got):\n%s", lj.Node.Name, diff)
		}
		if !lj.Node.NeedsDeclared {
			t.Errorf("%s lost `needs:` (it would wait for earlier stages)", lj.Node.Name)
		}
	}
	if len(jobs[1].Node.Needs) != 2 {
		t.Errorf("TrimNeeds changed its input: %+v", jobs[1].Node.Needs)
	}
	// The untrimmed selection is not a valid plan; the trimmed one is.
	ok := func(context.Context, int) Result { return Result{Status: StatusSuccess} }
	plan := func(js []LocalJob) Plan {
		var p Plan
		for _, lj := range js {
			n := lj.Node
			n.Run = ok
			p.Nodes = append(p.Nodes, n)
		}
		return p
	}
	if _, err := Schedule(context.Background(), plan(jobs), ScheduleOptions{}); err == nil {
		t.Error("a plan with needs on missing jobs was accepted")
	}
	sum, err := Schedule(context.Background(), plan(got), ScheduleOptions{})
	if err != nil || sum.Failed() {
		t.Errorf("trimmed plan: %v %+v", err, sum)
	}
}
