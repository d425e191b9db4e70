package pipeline

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkCompileLargest compiles the largest corpus pipeline (coq,
// 1,358 lines, with its local includes). Target: under 20 ms.
func BenchmarkCompileLargest(b *testing.B) {
	corpus := sharedCorpus(b, "gitlab-ci")
	opts := corpusOptions(corpus, "24-coq-coq.gitlab-ci.yml", map[string]string{"24-coq-coq.gitlab-ci.yml": "coq/coq"})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// smallPipeline is 15 lines, the size at which gitlab-ci-local was measured.
const smallPipeline = `stages: [build, test]
variables: {GO: "1.26"}
build:
  stage: build
  image: golang:$GO
  script: [go build ./...]
  artifacts: {paths: [bin/]}
test:
  stage: test
  needs: [build]
  script: [go test ./...]
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
    - changes: ["**/*.go"]
`

// BenchmarkCompileSmall compiles smallPipeline in process.
func BenchmarkCompileSmall(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), []byte(smallPipeline), 0o644); err != nil {
		b.Fatal(err)
	}
	opts := Options{Dir: dir, Now: fixedNow, Git: &GitFacts{Dir: dir, SHA: "abc", Branch: "main", DefaultBranch: "main"}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPeerGitlabCILocalList runs `gitlab-ci-local --list` (the peer,
// a Node.js process) on smallPipeline in a git repository. It runs only
// when GITLAB_CI_LOCAL names the peer's executable.
func BenchmarkPeerGitlabCILocalList(b *testing.B) {
	benchListProcess(b, os.Getenv("GITLAB_CI_LOCAL"), "--list")
}

// BenchmarkJobrunExecListProcess runs `jobrun exec --list` the same way,
// process start included, when JOBRUN_BIN names a built jobrun.
func BenchmarkJobrunExecListProcess(b *testing.B) {
	benchListProcess(b, os.Getenv("JOBRUN_BIN"), "exec", "--list")
}

func benchListProcess(b *testing.B, bin string, args ...string) {
	if bin == "" {
		b.Skip("set GITLAB_CI_LOCAL / JOBRUN_BIN to compare processes")
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), []byte(smallPipeline), 0o644); err != nil {
		b.Fatal(err)
	}
	git := func(args ...string) {
		cmd := exec.Command("git", append([]string{"-C", dir, "-c", "user.name=b", "-c", "user.email=b@example.com"}, args...)...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "init")
	git("remote", "add", "origin", "https://gitlab.example.com/acme/app.git")
	git("update-ref", "refs/remotes/origin/main", "HEAD") // gitlab-ci-local diffs against it
	for b.Loop() {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", bin, err, out)
		}
	}
}
