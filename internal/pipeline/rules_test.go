package pipeline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

// Expected results follow GitLab's rules documentation: the first
// matching rule decides; no match or when: never leaves the job out.
func TestJobRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		rules     string
		files     map[string]string
		in        bool
		when      string
		allowFail bool
		vars      map[string]string
	}{
		{"if matches", `[{if: '$CI_COMMIT_BRANCH == "main"'}]`, nil, true, "on_success", false, nil},
		{"no rule matches", `[{if: '$CI_COMMIT_TAG'}]`, nil, false, "", false, nil},
		{"first match wins", `[{if: '$CI_COMMIT_BRANCH', when: manual}, {when: always}]`, nil, true, "manual", false, nil},
		{"when never", `[{if: '$CI_COMMIT_BRANCH == "main"', when: never}, {when: always}]`, nil, false, "", false, nil},
		{"unconditional rule", `[{when: delayed, start_in: 5 minutes}]`, nil, true, "delayed", false, nil},
		{"allow_failure in rule", `[{when: on_success, allow_failure: true}]`, nil, true, "on_success", true, nil},
		{"rule variables", `[{if: '$CI_COMMIT_BRANCH', variables: {DEPLOY: "yes", JOBVAR: rule}}]`, nil, true, "on_success", false, map[string]string{"DEPLOY": "yes", "JOBVAR": "rule"}},
		{"exists matches", `[{exists: ["src/**/*.go"]}]`, map[string]string{"src/a/b.go": "package b"}, true, "on_success", false, nil},
		{"exists does not match", `[{exists: ["*.py"]}]`, map[string]string{"src/a/b.go": "package b"}, false, "", false, nil},
		{"exists does not match a directory", `[{exists: ["src/a"]}]`, map[string]string{"src/a/b.go": "package b"}, false, "", false, nil},
		{"exists with braces", `[{exists: ["Dockerfile.{dev,prod}"]}]`, map[string]string{"Dockerfile.prod": "FROM x"}, true, "on_success", false, nil},
		{"job variables visible to if", `[{if: '$JOBVAR == "job"'}]`, nil, true, "on_success", false, map[string]string{"JOBVAR": "job"}},
		{"nested variables expanded for if", `[{if: '$COMBINED == "job-main"'}]`, nil, true, "on_success", false, nil},
		{"if and exists both needed", `[{if: '$CI_COMMIT_BRANCH', exists: [nope.txt]}]`, nil, false, "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{".gitlab-ci.yml": `
j:
  variables: {JOBVAR: job, COMBINED: "${JOBVAR}-$CI_COMMIT_BRANCH"}
  script: [echo]
  rules: ` + tc.rules + "\n"}
			for k, v := range tc.files {
				files[k] = v
			}
			plan, err := compileFiles(t, files, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(plan.Jobs) == 1; got != tc.in {
				t.Fatalf("in pipeline = %v, want %v (excluded %v)", got, tc.in, plan.Excluded)
			}
			if !tc.in {
				if len(plan.Excluded) != 1 || plan.Excluded[0].Name != "j" {
					t.Errorf("excluded = %v", plan.Excluded)
				}
				return
			}
			j := plan.Jobs[0]
			if j.When != tc.when || j.AllowFailure != tc.allowFail {
				t.Errorf("when %q allow_failure %v, want %q %v", j.When, j.AllowFailure, tc.when, tc.allowFail)
			}
			for k, v := range tc.vars {
				if got := varOf(j, k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestOnlyExcept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy string
		tag    bool
		want   bool
		source string
	}{
		{"default runs on branches", ``, false, true, ""},
		{"default runs on tags", ``, true, true, ""},
		{"only branches on a tag", `only: [branches]`, true, false, ""},
		{"only tags on a tag", `only: [tags]`, true, true, ""},
		{"only main", `only: [main]`, false, true, ""},
		{"only other branch", `only: [develop]`, false, false, ""},
		{"only regex", `only: ['/^ma/']`, false, true, ""},
		{"only schedules", `only: [schedules]`, false, false, ""},
		{"only pushes", `only: [pushes]`, false, true, ""},
		{"only web", `only: [web]`, false, false, ""},
		{"only with project", `only: ['main@acme/app']`, false, true, ""},
		{"only with other project", `only: ['main@other/app']`, false, false, ""},
		{"except main", `except: [main]`, false, false, ""},
		{"except tags on a branch", `except: [tags]`, false, true, ""},
		{"only variables true", `only: {variables: ['$CI_COMMIT_BRANCH == "main"']}`, false, true, ""},
		{"only variables false", `only: {variables: ['$FULL_CI == "true"']}`, false, false, ""},
		{"only refs and variables both", `only: {refs: [main], variables: ['$NOPE']}`, false, false, ""},
		{"except variables", `except: {variables: ['$CI_COMMIT_BRANCH']}`, false, false, ""},
		{"only schedules in a schedule", `only: [schedules]`, false, true, "schedule"},
		{"except schedules in a schedule", `except: [schedules]`, false, false, "schedule"},
		{"only pushes in a schedule", `only: [pushes]`, false, false, "schedule"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := compileFiles(t, map[string]string{".gitlab-ci.yml": "j:\n  script: [x]\n  " + tc.policy + "\n"}, func(o *Options) {
				if tc.source != "" {
					o.CLIVars = job.Variables{{Key: "CI_PIPELINE_SOURCE", Value: tc.source, Public: true}}
				}
				o.Git.RemoteURL = "git@gitlab.example.com:acme/app.git"
				if tc.tag {
					o.Git.Tags, o.Tag = []string{"v1.0.0"}, "v1.0.0"
				}
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := len(plan.Jobs) == 1; got != tc.want {
				t.Errorf("in pipeline = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestWorkflowRules(t *testing.T) {
	t.Parallel()
	base := "j:\n  script: [echo $WF]\n"
	tests := []struct {
		name, workflow string
		jobs           int
		wfVar, title   string
	}{
		{"no rule matches", `workflow: {rules: [{if: '$CI_COMMIT_TAG'}]}`, 0, "", ""},
		{"when never", `workflow: {rules: [{if: '$CI_COMMIT_BRANCH', when: never}, {when: always}]}`, 0, "", ""},
		{"variables and name", `workflow: {name: 'Run on $CI_COMMIT_BRANCH', rules: [{if: '$CI_COMMIT_BRANCH', variables: {WF: on}}]}`, 1, "on", "Run on main"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan := mustCompile(t, tc.workflow+"\n"+base)
			if len(plan.Jobs) != tc.jobs {
				t.Fatalf("jobs = %v, want %d", jobNames(plan), tc.jobs)
			}
			if tc.jobs == 0 {
				if len(plan.Excluded) != 1 || !strings.HasPrefix(plan.Excluded[0].Reason, "workflow:rules") {
					t.Errorf("excluded = %v", plan.Excluded)
				}
				return
			}
			if got := varOf(plan.Jobs[0], "CI_PIPELINE_NAME"); got != tc.title {
				t.Errorf("CI_PIPELINE_NAME = %q, want %q", got, tc.title)
			}
			if got := varOf(plan.Jobs[0], "WF"); got != tc.wfVar || plan.Name != tc.title {
				t.Errorf("WF = %q name = %q", got, plan.Name)
			}
		})
	}
}

func TestIncludeRules(t *testing.T) {
	t.Parallel()
	plan, err := compileFiles(t, map[string]string{
		".gitlab-ci.yml": `
include:
  - local: ci/branch.yml
    rules: [{if: '$CI_COMMIT_BRANCH == "main"'}]
  - local: ci/tag.yml
    rules: [{if: $CI_COMMIT_TAG}]
`,
		"ci/branch.yml": "on-branch: {script: [x]}\n",
		"ci/tag.yml":    "on-tag: {script: [x]}\n",
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"on-branch"}, jobNames(plan)); diff != "" {
		t.Errorf("jobs (-want +got):\n%s", diff)
	}
}
