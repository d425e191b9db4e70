package pipeline

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// extends: hashes deep-merge, everything else is replaced; parents in
// order, the job last (GitLab's "extends" documentation).
func TestExtends(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
.base:
  image: alpine
  variables: {A: base, B: base}
  script: [base]
  tags: [base]
.middle:
  extends: .base
  variables: {B: middle, C: middle}
  script: [middle]
.other:
  tags: [other]
  before_script: [other-before]
j:
  extends: [.middle, .other]
  variables: {C: job}
`)
	j := jobNamed(t, plan, "j")
	for k, want := range map[string]string{"A": "base", "B": "middle", "C": "job"} {
		if got := varOf(j, k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if diff := cmp.Diff([]string{"other-before", "middle"}, j.Payload.Steps[0].Script); diff != "" {
		t.Errorf("script (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"other"}, j.Tags); diff != "" {
		t.Errorf("tags are replaced, not merged (-want +got):\n%s", diff)
	}
	if j.Payload.Image.Name != "alpine" {
		t.Errorf("image = %q", j.Payload.Image.Name)
	}
}

func TestReferenceAndAnchors(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
.setup:
  script: [setup-1, setup-2]
  vars: {X: from-ref}
.nested:
  script:
    - !reference [.setup, script]
    - nested
.defaults: &defaults
  image: ruby
  variables: {V: anchor}
j:
  <<: *defaults
  variables: {V: own}
  before_script: !reference [.nested, script]
  script:
    - !reference [.setup, script]
    - main
dup:
  script: [first]
  script: [last]
`)
	j := jobNamed(t, plan, "j")
	want := []string{"setup-1", "setup-2", "nested", "setup-1", "setup-2", "main"}
	if diff := cmp.Diff(want, j.Payload.Steps[0].Script); diff != "" {
		t.Errorf("script (-want +got):\n%s", diff)
	}
	if j.Payload.Image.Name != "ruby" || varOf(j, "V") != "own" {
		t.Errorf("merge key: image %q V %q", j.Payload.Image.Name, varOf(j, "V"))
	}
	if got := jobNamed(t, plan, "dup").Payload.Steps[0].Script; !cmp.Equal(got, []string{"last"}) {
		t.Errorf("duplicate key: script = %v, want the last one", got)
	}
	if want := `.gitlab-ci.yml:21:3: key "script" repeats the one at line 20; the last one wins`; !cmp.Equal(plan.Notes, []string{want}) {
		t.Errorf("notes = %q, want %q", plan.Notes, want)
	}
}

func TestDefaultsAndInherit(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
image: legacy-image
before_script: [legacy-before]
variables: {G1: one, G2: two}
default:
  image: default-image
  after_script: [cleanup]
  retry: 2
  timeout: 90 minutes
a:
  script: [a]
b:
  image: own
  inherit:
    default: [after_script]
    variables: [G2]
  script: [b]
c:
  inherit: {default: false, variables: false}
  script: [c]
`)
	a, b, c := jobNamed(t, plan, "a"), jobNamed(t, plan, "b"), jobNamed(t, plan, "c")
	if a.Payload.Image.Name != "default-image" || a.Retry.Max != 2 || a.Payload.RunnerInfo.Timeout != 5400 {
		t.Errorf("a: image %q retry %d timeout %d", a.Payload.Image.Name, a.Retry.Max, a.Payload.RunnerInfo.Timeout)
	}
	if got := a.Payload.Steps[0].Script; !cmp.Equal(got, []string{"legacy-before", "a"}) {
		t.Errorf("a: legacy before_script not applied: %v", got)
	}
	if len(a.Payload.Steps) != 2 || a.Payload.Steps[1].Name != "after_script" || a.Payload.Steps[1].When != "always" {
		t.Errorf("a: steps %+v", a.Payload.Steps)
	}
	if b.Payload.Image.Name != "own" || b.Retry.Max != 0 || len(b.Payload.Steps) != 2 {
		t.Errorf("b: image %q retry %d steps %d", b.Payload.Image.Name, b.Retry.Max, len(b.Payload.Steps))
	}
	if _, ok := b.Payload.Variables.Get("G1"); ok || varOf(b, "G2") != "two" {
		t.Errorf("b: inherit:variables [G2] not applied")
	}
	if c.Payload.Image.Name != "" || len(c.Payload.Steps) != 1 {
		t.Errorf("c: inherit default false: image %q steps %d", c.Payload.Image.Name, len(c.Payload.Steps))
	}
	if _, ok := c.Payload.Variables.Get("G1"); ok {
		t.Errorf("c: inherit variables false still has G1")
	}
}

func TestParallel(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
p:
  parallel: 3
  script: [x]
m:
  parallel:
    matrix:
      - PROVIDER: aws
        STACK: [monitoring, app1]
      - PROVIDER: [gcp, vultr]
  script: [x]
after:
  stage: deploy
  needs:
    - job: m
      parallel:
        matrix:
          - PROVIDER: aws
            STACK: app1
  script: [x]
`)
	want := []string{"p 1/3", "p 2/3", "p 3/3", "m: [aws, monitoring]", "m: [aws, app1]", "m: [gcp]", "m: [vultr]", "after"}
	if diff := cmp.Diff(want, jobNames(plan)); diff != "" {
		t.Fatalf("names (-want +got):\n%s", diff)
	}
	p2 := jobNamed(t, plan, "p 2/3")
	if varOf(p2, "CI_NODE_INDEX") != "2" || varOf(p2, "CI_NODE_TOTAL") != "3" {
		t.Errorf("p 2/3: CI_NODE_INDEX %q CI_NODE_TOTAL %q", varOf(p2, "CI_NODE_INDEX"), varOf(p2, "CI_NODE_TOTAL"))
	}
	m := jobNamed(t, plan, "m: [aws, app1]")
	if varOf(m, "PROVIDER") != "aws" || varOf(m, "STACK") != "app1" || varOf(m, "CI_NODE_TOTAL") != "4" {
		t.Errorf("matrix variables: %q %q", varOf(m, "PROVIDER"), varOf(m, "STACK"))
	}
	if got := jobNamed(t, plan, "after").Needs; len(got) != 1 || got[0].Job != "m: [aws, app1]" {
		t.Errorf("needs of a matrix instance: %+v", got)
	}
}

func TestNeedsAndDependencies(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
stages: [build, test, deploy]
b1: {stage: build, script: [x]}
b2: {stage: build, script: [x]}
t1:
  stage: test
  needs: [b1, {job: b2, artifacts: false}, {job: gone, optional: true}]
  script: [x]
t2: {stage: test, needs: [], script: [x]}
t3: {stage: test, script: [x]}
d1: {stage: deploy, dependencies: [b2], script: [x]}
`)
	t1 := jobNamed(t, plan, "t1")
	if diff := cmp.Diff([]Need{{Job: "b1", Artifacts: true}, {Job: "b2", Artifacts: false}}, t1.Needs); diff != "" {
		t.Errorf("t1 needs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"b1"}, t1.Dependencies); diff != "" {
		t.Errorf("t1 dependencies follow needs with artifacts (-want +got):\n%s", diff)
	}
	if t2 := jobNamed(t, plan, "t2"); t2.Needs == nil || len(t2.Needs) != 0 || len(t2.Dependencies) != 0 {
		t.Errorf("needs: [] → %+v deps %v", t2.Needs, t2.Dependencies)
	}
	if t3 := jobNamed(t, plan, "t3"); !cmp.Equal(t3.Dependencies, []string{"b1", "b2"}) || t3.Needs != nil {
		t.Errorf("t3 depends on earlier stages: %v", t3.Dependencies)
	}
	d1 := jobNamed(t, plan, "d1")
	if len(d1.Payload.Dependencies) != 1 || d1.Payload.Dependencies[0].Name != "b2" || d1.Payload.Dependencies[0].ID != jobNamed(t, plan, "b2").Payload.ID {
		t.Errorf("d1 payload dependencies: %+v", d1.Payload.Dependencies)
	}
}

func TestWhenRetryTimeoutAllowFailure(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
manual: {when: manual, script: [x]}
manual-rule: {rules: [{when: manual}], script: [x]}
delayed: {when: delayed, start_in: 30 minutes, script: [x]}
codes: {allow_failure: {exit_codes: [137, 255]}, script: [x]}
retry: {retry: {max: 2, when: [runner_system_failure], exit_codes: 1}, timeout: 1h 30m, script: [x]}
`)
	if j := jobNamed(t, plan, "manual"); !j.Manual || !j.AllowFailure {
		t.Errorf("manual job: manual %v allow_failure %v (GitLab: true)", j.Manual, j.AllowFailure)
	}
	if j := jobNamed(t, plan, "manual-rule"); !j.Manual || j.AllowFailure {
		t.Errorf("manual by rule: manual %v allow_failure %v (GitLab: false)", j.Manual, j.AllowFailure)
	}
	if j := jobNamed(t, plan, "delayed"); j.When != "delayed" || j.StartIn != "30 minutes" {
		t.Errorf("delayed: %q %q", j.When, j.StartIn)
	}
	if j := jobNamed(t, plan, "codes"); j.AllowFailure || !cmp.Equal(j.AllowFailureExitCodes, []int{137, 255}) {
		t.Errorf("exit codes: %v %v", j.AllowFailure, j.AllowFailureExitCodes)
	}
	j := jobNamed(t, plan, "retry")
	if diff := cmp.Diff(Retry{Max: 2, When: []string{"runner_system_failure"}, ExitCodes: []int{1}}, j.Retry); diff != "" {
		t.Errorf("retry (-want +got):\n%s", diff)
	}
	if j.Payload.RunnerInfo.Timeout != 5400 || j.Payload.Steps[0].Timeout != 5400 {
		t.Errorf("timeout = %d", j.Payload.RunnerInfo.Timeout)
	}
}

func TestParseDuration(t *testing.T) {
	t.Parallel()
	tests := map[string]int{"3600": 3600, "1h": 3600, "1h 30m": 5400, "1h30m": 5400, "2 hours": 7200, "90 minutes": 5400,
		"1 hour and 5 minutes": 3900, "45s": 45, "1d": 86400, "1.5h": 5400}
	for in, want := range tests {
		if got, err := parseDuration(in); err != nil || got != want {
			t.Errorf("parseDuration(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "soon", "5 parsecs", "0", "-1h"} {
		if _, err := parseDuration(bad); err == nil {
			t.Errorf("parseDuration(%q) succeeded", bad)
		}
	}
}

func TestStagesOrder(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
stages: [lint, build]
post: {stage: .post, script: [x]}
b: {stage: build, script: [x]}
pre: {stage: .pre, script: [x]}
l: {stage: lint, script: [x]}
`)
	if diff := cmp.Diff([]string{".pre", "lint", "build", ".post"}, plan.Stages); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pre", "l", "b", "post"}, jobNames(plan)); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	if ids := []int64{plan.Jobs[0].Payload.ID, plan.Jobs[3].Payload.ID}; ids[0] != 1 || ids[1] != 4 {
		t.Errorf("ids = %v", ids)
	}
	if !strings.HasSuffix(varOf(plan.Jobs[1], "CI_JOB_URL"), "/-/jobs/2") {
		t.Errorf("CI_JOB_URL = %q", varOf(plan.Jobs[1], "CI_JOB_URL"))
	}
}

func TestTrigger(t *testing.T) {
	t.Parallel()
	plan, err := compileFiles(t, map[string]string{
		".gitlab-ci.yml": `
child:
  trigger:
    include: [{local: ci/child.yml}]
    strategy: depend
downstream:
  trigger: {project: group/other, branch: main}
remote-child:
  trigger:
    include: [{project: group/tools, file: ci.yml}]
`,
		"ci/child.yml": "child-job: {script: [x]}\n",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	child := jobNamed(t, plan, "child").Trigger
	if !child.Local || child.Child == nil || len(child.Child.Jobs) != 1 || child.Child.Jobs[0].Name != "child-job" || child.Strategy != "depend" {
		t.Errorf("local child pipeline: %+v", child)
	}
	if got := varOf(child.Child.Jobs[0], "CI_PIPELINE_SOURCE"); got != "parent_pipeline" {
		t.Errorf("child CI_PIPELINE_SOURCE = %q", got)
	}
	if d := jobNamed(t, plan, "downstream").Trigger; d.Local || d.Project != "group/other" || d.Reason == "" {
		t.Errorf("multi-project trigger: %+v", d)
	}
	if r := jobNamed(t, plan, "remote-child").Trigger; r.Local || r.Child != nil || !strings.Contains(r.Reason, "not in this repository") {
		t.Errorf("child pipeline from another project: %+v", r)
	}
	var list bytes.Buffer
	if err := WriteList(&list, plan, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"child pipeline of child: child-job\n", "downstream    on_success [trigger, not run locally]"} {
		if !strings.Contains(list.String(), want) {
			t.Errorf("--list lacks %q:\n%s", want, list.String())
		}
	}
	if steps := jobNamed(t, plan, "child").Payload.Steps; len(steps) != 0 {
		t.Errorf("a trigger job has no script steps: %+v", steps)
	}
}

// FuzzParseDuration: never panics; a parsed duration is in range.
func FuzzParseDuration(f *testing.F) {
	f.Add("1h 30m")
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseDuration(s)
		if err == nil && (n <= 0 || n > 30*24*3600) {
			t.Errorf("parseDuration(%q) = %d", s, n)
		}
	})
}

func TestSelect(t *testing.T) {
	t.Parallel()
	plan := mustCompile(t, `
a: {stage: build, script: [x]}
b: {stage: test, needs: [a], script: [x]}
c: {stage: deploy, needs: [b], script: [x]}
p: {parallel: 2, script: [x]}
off: {rules: [{when: never}], script: [x]}
`)
	tests := []struct {
		names     []string
		withNeeds bool
		want      []string
		wantErr   string
	}{
		{nil, false, []string{"a", "b", "p 1/2", "p 2/2", "c"}, ""},
		{[]string{"c"}, false, []string{"c"}, ""},
		{[]string{"c"}, true, []string{"a", "b", "c"}, ""},
		{[]string{"p"}, false, []string{"p 1/2", "p 2/2"}, ""},
		{[]string{"p 2/2"}, false, []string{"p 2/2"}, ""},
		{[]string{"off"}, false, nil, `job "off" is not in the pipeline (when: never)`},
		{[]string{"nope"}, false, nil, `no job "nope" in the pipeline`},
	}
	for _, tc := range tests {
		got, err := plan.Select(tc.names, tc.withNeeds)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Select(%v) error = %v, want %q", tc.names, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("Select(%v): %v", tc.names, err)
		}
		if diff := cmp.Diff(tc.want, jobNames(got)); diff != "" {
			t.Errorf("Select(%v, %v) (-want +got):\n%s", tc.names, tc.withNeeds, diff)
		}
	}
}
