package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// compileFiles writes files (".gitlab-ci.yml" is the pipeline) into a
// fresh project directory and compiles it as a push of main.
func compileFiles(t *testing.T, files map[string]string, mod func(*Options)) (*Plan, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := Options{
		Dir: dir, Now: fixedNow, Remote: Remote{Offline: true},
		Git: &GitFacts{Dir: dir, SHA: strings.Repeat("ab", 20), Branch: "main", DefaultBranch: "main", Title: "t", Message: "t"},
	}
	if mod != nil {
		mod(&opts)
	}
	return Compile(context.Background(), opts)
}

func mustCompile(t *testing.T, pipeline string) *Plan {
	t.Helper()
	plan, err := compileFiles(t, map[string]string{".gitlab-ci.yml": pipeline}, nil)
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return plan
}

func jobNamed(t *testing.T, plan *Plan, name string) *Job {
	t.Helper()
	for _, j := range plan.Jobs {
		if j.Name == name {
			return j
		}
	}
	t.Fatalf("no job %q in %v", name, jobNames(plan))
	return nil
}

func jobNames(plan *Plan) []string {
	out := []string{}
	for _, j := range plan.Jobs {
		out = append(out, j.Name)
	}
	return out
}

func varOf(j *Job, key string) string { return j.Payload.Variables.Value(key) }
