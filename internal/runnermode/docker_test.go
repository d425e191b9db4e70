package runnermode

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/executor/docker"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/testutil"
)

// testImage is built by scripts/docker-setup.sh with `docker import`.
const testImage = "jobrun-test/busybox:latest"

// unavailable skips without what Docker tests need, and fails in CI.
func unavailable(t *testing.T, why string) {
	t.Helper()
	testutil.Missing(t, "Docker tests need an engine and %s (scripts/docker-setup.sh): %s", testImage, why)
}

// dockerSpec is a runner with the Docker executor, or skips.
func dockerSpec(t *testing.T, fake *gitlabfake.Server) RunnerSpec {
	t.Helper()
	d, err := docker.New(context.Background(), docker.Options{PullPolicy: "never"})
	if errors.Is(err, docker.ErrNoEngine) {
		unavailable(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if out, err := exec.Command("docker", "image", "inspect", testImage).CombinedOutput(); err != nil {
		unavailable(t, string(bytes.TrimSpace(out))+" "+err.Error())
	}
	spec := shellSpec(t, fake)
	spec.Executor, spec.Features, spec.DefaultImage = d, ExecutorFeatures("docker"), testImage
	return spec
}

// One job end to end with the Docker executor: sources cloned with the
// job token, the script in a container, artifacts out, masked trace in.
func TestOnceDockerEndToEnd(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	spec := dockerSpec(t, fake)
	bare, shas := bareRepo(t, 1)
	fake.AddRepo("acme/app", bare)
	p := basePayload(shas[0], `echo "token: $CI_JOB_TOKEN"`, `echo "key: $API_KEY"`, `cat README`, `echo built > app.txt`)
	p.ID = time.Now().UnixNano() % 1_000_000_000 // unique: the executor labels containers by job id
	p.Variables = job.Variables{{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true}, {Key: "GIT_STRATEGY", Value: "clone"}}
	p.Artifacts = []job.Artifact{{Paths: []string{"app.txt"}, When: "on_success", ArtifactType: "archive", ArtifactFormat: "zip"}}
	fj := fake.Enqueue(p)
	sum := serve(t, testOptions(t, spec))
	trace := fj.Trace()
	if !sum.Success() {
		t.Fatalf("summary %+v; trace:\n%s", sum, trace)
	}
	for _, want := range []string{`Preparing the "docker" executor`, "token: [MASKED]\n", "key: [MASKED]\n", "hello from the repository, commit 1\n", "Uploading artifacts to coordinator... 201 Created"} {
		if !bytes.Contains(trace, []byte(want)) {
			t.Errorf("trace lacks %q:\n%s", want, trace)
		}
	}
	assertNoSecrets(t, trace, fj.Payload.Token, "s3cr3t-Value_123")
	if arts := fj.Artifacts(); len(arts) != 1 || unzip(t, arts[0].Data)["app.txt"] != "built\n" {
		t.Errorf("artifacts %+v", arts)
	}
	assertClean(t, fake)
}
