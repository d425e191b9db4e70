package exec

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/pipeline"
	"github.com/jobrun/jobrun/internal/runner"
)

func TestLocalJobs(t *testing.T) {
	t.Parallel()
	plan := &pipeline.Plan{Stages: []string{"build", "test"}, Jobs: []*pipeline.Job{
		{Name: "build", Stage: "build", When: "on_success", AllowFailure: true, AllowFailureExitCodes: []int{3, 4},
			Retry: pipeline.Retry{Max: 2, When: []string{"script_failure"}, ExitCodes: []int{1}}},
		{Name: "lint", Stage: "build", When: "delayed", StartIn: "2 minutes", AllowFailure: true},
		{Name: "test", Stage: "test", When: "on_success", Needs: []pipeline.Need{
			{Job: "build", Artifacts: true}, {Job: "gone", Optional: true}, {Job: "x", Project: "other/p"}, {Job: "not-selected"},
		}},
		{Name: "first", Stage: "test", Needs: []pipeline.Need{}},
		{Name: "child", Stage: "test", Trigger: &pipeline.Trigger{Include: []string{"child.yml"}, Local: true}},
		{Name: "down", Stage: "test", Trigger: &pipeline.Trigger{Project: "a/b", Reason: "runs on GitLab"}},
	}}
	plan.Jobs[0].Payload.Variables = job.Variables{{Key: "CI_PIPELINE_ID", Value: "7"}}
	jobs, notes := localJobs(plan)
	var got []runner.Node
	for _, j := range jobs {
		got = append(got, j.Node)
	}
	want := []runner.Node{
		{Name: "build", Stage: "build", When: "on_success",
			AllowFailure: runner.AllowFailure{ExitCodes: []int{3, 4}},
			Retry:        runner.Retry{Max: 2, When: []string{"script_failure"}, ExitCodes: []int{1}}},
		{Name: "lint", Stage: "build", When: "delayed", StartIn: 2 * time.Minute, AllowFailure: runner.AllowFailure{Any: true}},
		// Needs on jobs outside this run (optional or not) and on other
		// projects are met: only the need on build is left.
		{Name: "test", Stage: "test", When: "on_success", NeedsDeclared: true, Needs: []runner.Need{{Name: "build"}}},
		{Name: "first", Stage: "test", NeedsDeclared: true},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(runner.Node{}, "Run")); diff != "" {
		t.Errorf("nodes (-want +got):\n%s", diff)
	}
	wantNotes := []string{
		"child triggers a child pipeline, which jobrun exec does not run in the same run; run it with `jobrun exec -f child.yml`",
		"down is not run locally: runs on GitLab",
	}
	if diff := cmp.Diff(wantNotes, notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	if id := pipelineID(plan); id != "7" {
		t.Errorf("pipelineID = %q, want 7", id)
	}
	if jobs[0].Payload == &plan.Jobs[0].Payload {
		t.Error("the local job shares the plan's payload")
	}
}
