package lint

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// TestCorpus lints the 16 real configs of ../shared/corpus/runner-config,
// pins every finding in a golden file, and checks that every privileged,
// socket-mount, shell-executor and plain-HTTP case is found.
func TestCorpus(t *testing.T) {
	t.Parallel()
	dir := corpusDir(t, "runner-config")
	paths, err := filepath.Glob(filepath.Join(dir, "*.toml"))
	if err != nil || len(paths) != 16 {
		t.Fatalf("want the 16 corpus configs, found %d (%v)", len(paths), err)
	}
	r, err := Lint(paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var golden strings.Builder
	cases := map[string]int{}
	for _, fr := range r.Files {
		golden.WriteString("== " + filepath.Base(fr.Path) + "\n" + findingLines(fr.Findings))
		for i, run := range fr.File.Config.Runners {
			for _, c := range expectedCases(run) {
				cases[c.code]++
				if !hasFinding(fr.Findings, i, c.code, c.key) {
					t.Errorf("%s runner %d %q: expected %s on %s", filepath.Base(fr.Path), i, run.Name, c.code, c.key)
				}
			}
		}
	}
	// The corpus headers describe 10 privileged runners, 9 socket mounts,
	// 19 shell runners and 22 plain-HTTP URLs: if the model loses any of
	// them, the per-runner check above cannot see it, this one does.
	want := map[string]int{"JR030/JR050": 10, "JR032": 9, "JR020": 19, "JR011": 22}
	for code, n := range want {
		if cases[code] != n {
			t.Errorf("%s: %d cases in the corpus, want %d", code, cases[code], n)
		}
	}
	assertGolden(t, t.Name(), []byte(golden.String()))
}

type expectedCase struct{ code, key string }

// expectedCases reads the risky settings straight from the model.
func expectedCases(r runnerconfig.Runner) []expectedCase {
	var out []expectedCase
	if r.Docker != nil && r.Docker.Privileged && strings.HasPrefix(r.Executor, "docker") {
		out = append(out, expectedCase{"JR030/JR050", "runners.docker.privileged"})
	}
	if r.Kubernetes != nil && r.Kubernetes.Privileged != nil && *r.Kubernetes.Privileged {
		out = append(out, expectedCase{"JR030/JR050", "runners.kubernetes.privileged"})
	}
	if r.Docker != nil && strings.HasPrefix(r.Executor, "docker") {
		for _, v := range r.Docker.Volumes {
			if strings.HasPrefix(v, "/var/run/docker.sock:") {
				out = append(out, expectedCase{"JR032", "runners.docker.volumes"})
			}
		}
	}
	if r.Executor == "shell" {
		out = append(out, expectedCase{"JR020", "runners.executor"})
	}
	if strings.HasPrefix(r.URL, "http://") {
		out = append(out, expectedCase{"JR011", "runners.url"})
	}
	if strings.HasPrefix(r.CloneURL, "http://") {
		out = append(out, expectedCase{"JR011", "runners.clone_url"})
	}
	return out
}

func hasFinding(fs []Finding, runner int, codes, key string) bool {
	for _, f := range fs {
		if f.Runner == runner && f.Key == key && strings.Contains(codes, f.Code) {
			return true
		}
	}
	return false
}
