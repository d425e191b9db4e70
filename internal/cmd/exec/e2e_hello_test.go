package exec

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The README's "main job": examples/hello, inside a repository whose root
// is two directories up (as in a clone of jobrun), with every job running
// concurrently, as `go run ./cmd/jobrun exec -C examples/hello` does.
func TestExecExampleHello(t *testing.T) {
	t.Parallel()
	repo := t.TempDir()
	project := filepath.Join(repo, "examples", "hello")
	if err := os.CopyFS(project, os.DirFS(filepath.Join("..", "..", "..", "examples", "hello"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte("jobrun\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	gitInit(t, repo)
	r := execPipeline(context.Background(), t, project, nil, func(o *Options) { o.Concurrency = 0 })
	if r.exitCode != 0 {
		t.Fatalf("exit code %d:\n%s%s", r.exitCode, r.errOut, r.out)
	}
	for _, want := range []string{
		"build         > token =        [MASKED]\n",
		"build         > clone URL =    http://gitlab-ci-token:[MASKED]@127.0.0.1:", // the local job API
		"/local/hello.git\n",
		"build         > base64 =       [MASKED]\n",
		"build         > URL-encoded =  [MASKED]\n",
		"build         > registry =     gitlab-ci-token / [MASKED]\n",
		"build         > api key =      [MASKED], URL-encoded [MASKED]\n",
		"test: [linux] > linux (1/2) read the artifact - hello from jobrun\n",
		"test: [macos] > macos (2/2) read the artifact - hello from jobrun\n",
		"test: [linux] > linux got BUILD_VERSION=1.2.1 from build's dotenv report\n",
		"test: [macos] > macos finished with CI_JOB_STATUS=success\n",
		"deploy         deploy  manual   -\n",
		"Pipeline succeeded\n",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	r.assertAbsent(t, "demo-key/with:special=chars&more", "demo-key%2Fwith%3Aspecial%3Dchars%26more")
	fps := regexp.MustCompile(`fingerprint = +([0-9a-f]{12})`).FindAllStringSubmatch(r.out, -1)
	var distinct []string
	for _, m := range fps {
		if !slices.Contains(distinct, m[1]) {
			distinct = append(distinct, m[1])
		}
	}
	if len(fps) != 3 || len(distinct) != 3 {
		t.Errorf("want 3 jobs with 3 different token fingerprints, got %v", fps)
	}
	// One log per job that ran (':' is not kept in file names).
	for _, name := range []string{"build.log", "test_ [linux].log", "test_ [macos].log"} {
		if !strings.Contains(r.logs[name], "Job succeeded") {
			t.Errorf("log %s is missing or incomplete", name)
		}
	}
	if len(r.logs) != 3 {
		t.Errorf("%d log files, want 3 (the manual job does not run)", len(r.logs))
	}
}
