package pipeline

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fixedNow makes CI_PIPELINE_CREATED_AT stable in golden files.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// corpusOptions compiles a corpus pipeline offline, with its .includes
// folder (when it has one) as the project directory.
// The repository facts are fixed: a push of main of the source project
// (from INDEX.tsv), so that branch rules behave as on GitLab.
func corpusOptions(corpus, file string, sources map[string]string) Options {
	dir := corpus
	if inc := strings.TrimSuffix(file, ".gitlab-ci.yml") + ".includes"; dirExists(filepath.Join(corpus, inc)) {
		dir = filepath.Join(corpus, inc)
	}
	git := &GitFacts{
		Dir: dir, SHA: "9f0c1b2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b", Branch: "main", DefaultBranch: "main",
		Title: "Add a feature", Message: "Add a feature\n\nWith a description.", Timestamp: "2026-01-02T03:04:05+00:00",
		Author: "Jo Dev <jo@example.com>", RemoteURL: "https://gitlab.com/" + sources[file] + ".git",
	}
	return Options{Dir: dir, File: filepath.Join(corpus, file), Git: git, Now: fixedNow, Remote: Remote{Offline: true}}
}

// corpusSources reads INDEX.tsv: file name → source repository.
func corpusSources(t *testing.T, corpus string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "INDEX.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n")[1:] {
		if f := strings.Split(line, "\t"); len(f) >= 3 {
			out[f[1]] = f[2]
		}
	}
	return out
}

func dirExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// Every corpus pipeline compiles, or fails only because an include needs
// a GitLab instance; the --list --json output is pinned.
func TestCorpus(t *testing.T) {
	t.Parallel()
	corpus := sharedCorpus(t, "gitlab-ci")
	sources := corpusSources(t, corpus)
	files, err := filepath.Glob(filepath.Join(corpus, "*.gitlab-ci.yml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	for _, path := range files {
		file := filepath.Base(path)
		t.Run(strings.TrimSuffix(file, ".gitlab-ci.yml"), func(t *testing.T) {
			t.Parallel()
			opts := corpusOptions(corpus, file, sources)
			plan, err := Compile(context.Background(), opts)
			var out bytes.Buffer
			if err != nil {
				var perr *Error
				if !errors.As(err, &perr) || !strings.Contains(perr.Msg, "cannot be resolved locally") {
					t.Fatalf("compile: %v", err)
				}
				out.WriteString("error: " + strings.ReplaceAll(err.Error(), corpus+string(filepath.Separator), "") + "\n")
			} else {
				if len(plan.Jobs) == 0 && len(plan.Excluded) == 0 {
					t.Errorf("no jobs and nothing excluded")
				}
				if err := WriteJSON(&out, plan); err != nil {
					t.Fatal(err)
				}
			}
			assertGolden(t, "list", bytes.ReplaceAll(out.Bytes(), []byte(corpus), []byte("$CORPUS")))
		})
	}
}
