package runner

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/pipeline"
)

// adapt turns the compiler's plan into the scheduler's jobs, the way
// `jobrun exec` does (docs/runner.md).
func adapt(plan *pipeline.Plan) []LocalJob {
	var jobs []LocalJob
	for _, j := range plan.Jobs {
		n := Node{
			Name: j.Name, Stage: j.Stage, When: j.When, NeedsDeclared: j.Needs != nil,
			AllowFailure: AllowFailure{Any: j.AllowFailure && len(j.AllowFailureExitCodes) == 0, ExitCodes: j.AllowFailureExitCodes},
			Retry:        Retry{Max: j.Retry.Max, When: j.Retry.When, ExitCodes: j.Retry.ExitCodes},
		}
		for _, need := range j.Needs {
			n.Needs = append(n.Needs, Need{Name: need.Job, Optional: need.Optional})
		}
		p := j.Payload
		jobs = append(jobs, LocalJob{Payload: &p, Node: n})
	}
	return jobs
}

// A real .gitlab-ci.yml, compiled by internal/pipeline and run through the
// scheduler, the runner core and bash, with jobs running concurrently.
func TestCompiledPipelineEndToEnd(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/pipelines/smoke/.gitlab-ci.yml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	ctx := context.Background()
	git, err := pipeline.ReadGit(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := pipeline.Compile(ctx, pipeline.Options{Dir: dir, Git: git})
	if err != nil {
		t.Fatal(err)
	}
	var term bytes.Buffer
	sum, err := RunLocal(ctx, adapt(plan), LocalOptions{
		Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{NameWidth: 16}),
		Dir: dir, StateRoot: dir, Pipeline: "1", Stages: plan.Stages,
		Schedule: ScheduleOptions{Concurrency: 3},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]JobState{
		"build": StateSuccess, "test": StateSuccess, "matrix: [linux]": StateSuccess, "matrix: [mac]": StateSuccess,
		"lint": StateAllowed, "flaky": StateSuccess, "deploy": StateManual,
	}
	if diff := cmp.Diff(want, states(sum)); diff != "" || sum.Failed() || sum.Interrupted {
		t.Fatalf("states (-want +got):\n%s\n%s", diff, term.String())
	}
	out := term.String()
	for _, line := range []string{
		"build            > token=[MASKED]\n",
		"test             > version 9.9, hello, app binary\n",
		"test             > status success\n",
		"matrix: [linux]  > os linux node 1/2\n",
		"matrix: [mac]    > os mac node 2/2\n",
	} {
		if !strings.Contains(out, line) {
			t.Errorf("missing %q in:\n%s", line, out)
		}
	}
	if !regexp.MustCompile(`build +> clone https://gitlab-ci-token:\[MASKED\]@`).MatchString(out) {
		t.Errorf("clone URL not masked:\n%s", out)
	}
	if strings.Contains(out, "glcbt-") {
		t.Errorf("a token is visible:\n%s", out)
	}
}
