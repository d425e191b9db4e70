package docker

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/masker"
	"github.com/jobrun/jobrun/internal/runner"
)

// echoPipeline is the exec issue's benchmark pipeline: 10 `echo` jobs in
// 3 stages, here each with the local busybox image.
func echoPipeline() []*job.Payload {
	stages := []string{"build", "build", "build", "test", "test", "test", "test", "deploy", "deploy", "deploy"}
	var jobs []*job.Payload
	for i, stage := range stages {
		name := fmt.Sprintf("%s-%d", stage, i)
		jobs = append(jobs, &job.Payload{
			ID:         nextJobID(),
			Token:      "glcbt-bench0000000000000000000000",
			JobInfo:    job.JobInfo{Name: name, Stage: stage, ProjectFullPath: "bench/echo"},
			RunnerInfo: job.RunnerInfo{Timeout: 60},
			Image:      job.Image{Name: busyboxImage},
			Variables:  job.Variables{{Key: "CI_JOB_NAME", Value: name, Public: true}},
			Steps:      []job.Step{{Name: job.StepScript, Script: []string{`echo "hello from $CI_JOB_NAME"`}, When: job.WhenOnSuccess}},
		})
	}
	return jobs
}

// BenchmarkEchoPipeline runs the 10 jobs one after the other through the
// runner core, the masker and the Docker executor, and — in the same run
// — the same 10 echos as a shell loop of `docker run --rm`. The ns/job
// metrics compare the two.
func BenchmarkEchoPipeline(b *testing.B) {
	d := engine(b, Options{PullPolicy: PullNever})
	dir := b.TempDir()
	b.Run("jobrun-docker", func(b *testing.B) {
		r := &runner.Runner{
			Executor: d,
			NewMasker: func(dst io.Writer, prefixes []string) runner.Masker {
				return masker.New(dst, masker.Options{Prefixes: prefixes})
			},
			Version: "bench",
		}
		start := time.Now()
		for b.Loop() {
			for _, p := range echoPipeline() {
				res := r.Run(context.Background(), runner.Job{Payload: p, Dir: dir, Trace: io.Discard})
				if res.Status != runner.StatusSuccess {
					b.Fatalf("job %s: %+v", p.JobInfo.Name, res)
				}
			}
		}
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*10), "ns/job")
	})
	b.Run("docker-run-rm-loop", func(b *testing.B) {
		var loop strings.Builder
		for _, p := range echoPipeline() {
			fmt.Fprintf(&loop, "docker run --rm -e CI_JOB_NAME=%s -v %s:/builds/bench/echo -w /builds/bench/echo %s sh -c 'echo \"hello from $CI_JOB_NAME\"' >/dev/null\n",
				p.JobInfo.Name, dir, busyboxImage)
		}
		start := time.Now()
		for b.Loop() {
			if out, err := exec.Command("sh", "-ec", loop.String()).CombinedOutput(); err != nil {
				b.Fatalf("docker run loop: %v: %s", err, out)
			}
		}
		b.ReportMetric(float64(time.Since(start).Nanoseconds())/float64(b.N*10), "ns/job")
	})
}
