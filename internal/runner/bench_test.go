package runner

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/jobrun/jobrun/internal/executor"
)

// BenchmarkLocalPipeline10Echo runs the benchmark pipeline — ten
// `echo` jobs in three stages (3 build, 4 test, 3 deploy) — through the
// scheduler, token minting, the runner core, real bash, the terminal sink
// and per-job log files; the peer is gitlab-ci-local on the same
// pipeline (scripts/bench.sh).
func BenchmarkLocalPipeline10Echo(b *testing.B) {
	dir := b.TempDir()
	var jobs []LocalJob
	for i, stage := range []string{"build", "build", "build", "test", "test", "test", "test", "deploy", "deploy", "deploy"} {
		name := fmt.Sprintf("%s-%d", stage, i)
		jobs = append(jobs, localJob(name, stage, []string{"echo " + name}, nil, Node{}))
	}
	opts := LocalOptions{
		Runner: &Runner{
			Executor:  &executor.Shell{TempDir: b.TempDir()},
			NewMasker: newTestMasker,
			BaseEnv:   []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()},
		},
		Terminal: NewTerminal(io.Discard, TerminalOptions{NameWidth: 8}),
		Dir:      dir, StateRoot: dir, Pipeline: "bench",
		Stages: []string{"build", "test", "deploy"},
	}
	b.ResetTimer()
	for b.Loop() {
		sum, err := RunLocal(context.Background(), jobs, opts)
		if err != nil || sum.Failed() {
			b.Fatalf("pipeline failed: %v %+v", err, sum)
		}
	}
}
