package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Every kind of bad input is one *Error with file:line:col and what was
// expected.
func TestBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, pipeline, want string }{
		{"malformed YAML", "j:\n  script: [x\n", ".gitlab-ci.yml:1:1: malformed YAML: did not find expected ',' or ']'"},
		{"tab indentation", "j:\n\tscript: x\n", ".gitlab-ci.yml:2:1: malformed YAML"},
		{"not a mapping", "- a\n- b\n", ".gitlab-ci.yml:1:1: the file is a list; expected a mapping"},
		{"unknown keyword", "j:\n  script: [x]\n  scirpt: [y]\n", `.gitlab-ci.yml:3:3: unknown keyword "scirpt" in job "j"`},
		{"job is a string", "j: echo\n", `.gitlab-ci.yml:1:1: job "j" is a string; expected a mapping`},
		{"no script", "j:\n  stage: test\n", `.gitlab-ci.yml:1:1: job "j" has no script`},
		{"wrong type", "j:\n  script: [x]\n  timeout: [1h]\n", `.gitlab-ci.yml:3:12: j:timeout is a list; expected a string or a number`},
		{"bad when", "j:\n  script: [x]\n  when: sometimes\n", `.gitlab-ci.yml:3:9: j:when is "sometimes"; expected one of`},
		{"unknown stage", "j:\n  stage: nope\n  script: [x]\n", `.gitlab-ci.yml:2:10: job "j" uses stage "nope", which is not in stages`},
		{"default stage not in stages", "stages: [build]\nj:\n  script: [x]\n", `.gitlab-ci.yml:2:1: job "j" uses stage "test", which is not in stages`},
		{"missing extends", "j:\n  extends: .nope\n  script: [x]\n", `.gitlab-ci.yml:2:12: j extends ".nope", which does not exist`},
		{"extends cycle", ".a: {extends: .b}\n.b: {extends: .a}\nj: {extends: .a, script: [x]}\n", `.gitlab-ci.yml:2:15: circular extends: .a → .b → .a`},
		{"missing needs", "j:\n  script: [x]\n  needs: [gone]\n", `.gitlab-ci.yml:3:11: job "j" needs "gone", which is not in the pipeline`},
		{"needs later stage", "a: {stage: build, needs: [b], script: [x]}\nb: {stage: test, script: [x]}\n", `job "a" needs "b", which is in the later stage "test"`},
		{"needs cycle", "a: {needs: [b], script: [x]}\nb: {needs: [a], script: [x]}\n", `needs form a cycle: a → b → a`},
		{"reference cycle", ".a: {script: !reference [.b, script]}\n.b: {script: !reference [.a, script]}\nj: {script: !reference [.a, script]}\n", `circular !reference`},
		{"reference missing", "j:\n  script: !reference [.nope, script]\n", `.gitlab-ci.yml:2:11: !reference [.nope, script]: ".nope" does not exist`},
		{"bad expression", "j:\n  script: [x]\n  rules: [{if: '$A = 1'}]\n", `.gitlab-ci.yml:3:16: invalid expression "$A = 1"`},
		{"bad rule key", "j:\n  script: [x]\n  rules: [{iff: $A}]\n", `.gitlab-ci.yml:3:12: unknown keyword "iff" in j:rules`},
		{"rules and only", "j:\n  script: [x]\n  only: [main]\n  rules: [{when: always}]\n", `uses rules together with only/except`},
		{"alias cycle", "a: &a [*a]\n", `.gitlab-ci.yml:1:4: an alias refers to a node that contains it`},
		{"unknown alias", "a: *nope\n", `malformed YAML`},
		{"bad variable", "variables:\n  A: [1, 2]\nj: {script: [x]}\n", `.gitlab-ci.yml:2:6: variable A is a list; expected a string`},
		{"parallel too big", "j:\n  parallel: 500\n  script: [x]\n", `.gitlab-ci.yml:2:13: j:parallel is 500; expected 1 to 200`},
		{"retry too big", "j:\n  retry: 5\n  script: [x]\n", `j:retry is 5; expected 0, 1 or 2`},
		{"delayed without start_in", "j:\n  when: delayed\n  script: [x]\n", `is delayed but has no start_in`},
		{"dependency undefined", "j:\n  dependencies: [nope]\n  script: [x]\n", `depends on "nope", which is not defined`},
		{"bad default keyword", "default:\n  stage: build\n", `.gitlab-ci.yml:2:3: unknown keyword "stage" in default`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := compileFiles(t, map[string]string{".gitlab-ci.yml": tc.pipeline}, nil)
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("error = %v (%T), want a *pipeline.Error", err, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tc.want)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error has more than one line: %q", err)
			}
		})
	}
}

// Billion laughs: nested aliases must be an error, not an out-of-memory.
func TestAliasBomb(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 12; i++ {
		b.WriteString("a" + itoa(i) + ": &a" + itoa(i) + " [")
		for k := 0; k < 10; k++ {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + itoa(i-1))
		}
		b.WriteString("]\n")
	}
	_, err := compileFiles(t, map[string]string{".gitlab-ci.yml": b.String()}, nil)
	if err == nil || !strings.Contains(err.Error(), "too many nodes") {
		t.Errorf("error = %v", err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// FuzzCompile: any input compiles or fails with a *pipeline.Error; never
// a panic.
func FuzzCompile(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/fuzz-seeds/*.yml")
	for _, s := range seeds {
		if data, err := os.ReadFile(s); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("j: {script: [x], rules: [{if: '$CI_COMMIT_BRANCH'}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Compile(context.Background(), Options{Dir: dir, Now: fixedNow, Remote: Remote{Offline: true}})
		var perr *Error
		if err != nil && !errors.As(err, &perr) {
			t.Fatalf("error is %T, want *pipeline.Error: %v", err, err)
		}
		if perr != nil && (perr.Pos.File == "" || perr.Pos.Line == 0 && !strings.Contains(perr.Msg, "YAML")) {
			t.Fatalf("error without file:line: %v", err)
		}
	})
}

// FuzzVariablesFile: the variables-file parser never panics and never
// puts a value into an error message.
func FuzzVariablesFile(f *testing.F) {
	f.Add([]byte("A: b\nT: {value: zzsecretzz, masked: true}\n"))
	f.Add([]byte("K: {values: {'*': zzsecretzz}, type: file}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := ParseVariablesFile("vars.yml", data)
		// Only valid variable names and anchor names may be quoted.
		if err != nil && strings.Contains(err.Error(), "zzsecretzz") && !strings.Contains(err.Error(), "anchor") && !strings.Contains(err.Error(), " variable zzsecretzz") {
			t.Errorf("error quotes a value: %v", err)
		}
	})
}
