package runnermode

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// TestBenchFake is the coordinator of scripts/bench-run.sh, not a test:
// with JOBRUN_BENCH_FAKE=<file> it serves one job that prints
// JOBRUN_BENCH_MIB MiB of log to a `jobrun run --once` process, writes
// its URL and runner token to <file>, and waits for the final update. The
// fake keeps only the trace's size and CRC (HashOnlyTraces) and still
// verifies every offset and the final checksum.
func TestBenchFake(t *testing.T) {
	out := os.Getenv("JOBRUN_BENCH_FAKE")
	if out == "" {
		t.Skip("only for scripts/bench-run.sh (JOBRUN_BENCH_FAKE)")
	}
	mib, err := strconv.Atoi(os.Getenv("JOBRUN_BENCH_MIB"))
	if err != nil || mib <= 0 {
		t.Fatalf("JOBRUN_BENCH_MIB=%q: want a number of MiB", os.Getenv("JOBRUN_BENCH_MIB"))
	}
	fake := gitlabfake.New(t, gitlabfake.Options{HashOnlyTraces: true, LongPoll: time.Second, TraceUpdateInterval: 3})
	// 64-byte lines, with a secret-looking word in each so the masker
	// works as it does on a real log.
	script := fmt.Sprintf(`(yes "build step output: compiling module, token glcbt-notreal ok." || true) | head -c %d`, mib<<20)
	p := basePayload("", script)
	p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "none"}, {Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true}}
	fj := fake.Enqueue(p)
	if err := os.WriteFile(out, []byte(fake.URL()+"\n"+fake.RunnerToken()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Minute)
	for {
		if final, ok := fj.Final(); ok {
			t.Logf("final update: %s, %d bytes, %s", final.State, final.Output.Bytesize, final.Output.Checksum)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no final update")
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, v := range fake.Violations() {
		t.Error(v)
	}
}
