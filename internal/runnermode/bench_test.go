package runnermode

import (
	"fmt"
	"io"
	"os/exec"
	"testing"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// benchLogScript prints mib MiB of 64-byte lines, each with a token-like
// word the masker replaces (what TestBenchFake's job prints too).
func benchLogScript(mib int) string {
	return fmt.Sprintf(`(yes "build step output: compiling module, token glcbt-notreal ok." || true) | head -c %d`, mib<<20)
}

// BenchmarkServeOnce is one job printing 16 MiB through Serve in this
// process: request, accept, masker, runner core, trace upload (the whole
// log: output_limit above it), final update with checksum.
func BenchmarkServeOnce(b *testing.B) {
	const mib = 16
	fake := gitlabfake.New(b, gitlabfake.Options{HashOnlyTraces: true})
	spec := shellSpec(b, fake)
	spec.OutputLimit = (mib + 4) << 20
	opts := Options{Runners: []RunnerSpec{spec}, Concurrent: 1, Once: true, Version: "bench", SystemID: "s_0123456789ab", TempDir: b.TempDir()}
	b.SetBytes(mib << 20)
	b.ResetTimer()
	for b.Loop() {
		p := basePayload("", benchLogScript(mib))
		p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "none"}, {Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true}}
		fj := fake.Enqueue(p)
		sum, err := Serve(b.Context(), opts)
		if err != nil || !sum.Success() {
			b.Fatalf("%+v %v", sum, err)
		}
		if final, _ := fj.Final(); final.Output == nil || final.Output.Bytesize < mib<<20 {
			b.Fatalf("final %+v", final)
		}
	}
}

// BenchmarkShellPeer is the peer: the same script in bash with its output
// discarded — what the job costs without jobrun.
func BenchmarkShellPeer(b *testing.B) {
	const mib = 16
	b.SetBytes(mib << 20)
	for b.Loop() {
		cmd := exec.Command("bash", "-c", benchLogScript(mib))
		cmd.Stdout = io.Discard
		if err := cmd.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
