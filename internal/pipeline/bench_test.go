package pipeline

import (
	"context"
	"os"
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

// BenchmarkCompileSmall compiles a 15-line pipeline, the size at which
// gitlab-ci-local was measured.
func BenchmarkCompileSmall(b *testing.B) {
	dir := b.TempDir()
	src := `stages: [build, test]
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
	if err := os.WriteFile(filepath.Join(dir, ".gitlab-ci.yml"), []byte(src), 0o644); err != nil {
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
