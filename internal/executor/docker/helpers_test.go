package docker

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/testutil"

	"github.com/moby/moby/client"
)

// Local images built by scripts/docker-setup.sh with `docker import`.
const (
	busyboxImage = "jobrun-test/busybox:latest"
	bashImage    = "jobrun-test/bash:latest"
)

// unavailable skips the test on a machine without what it needs, and
// fails it in CI (CI=true), where a missing engine is a broken set-up.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	testutil.Missing(t, "%s", "Docker tests need an engine and jobrun's test images (scripts/docker-setup.sh): "+fmtArgs(format, args...))
}

func fmtArgs(format string, args ...any) string {
	return strings.TrimSpace(strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "))
}

// engine connects to the local engine with opts, or skips / fails.
func engine(t testing.TB, opts Options) *Docker {
	t.Helper()
	d, err := New(context.Background(), opts)
	if errors.Is(err, ErrNoEngine) {
		unavailable(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	if _, err := d.api.ImageInspect(context.Background(), busyboxImage); err != nil {
		unavailable(t, "image %s: %v", busyboxImage, err)
	}
	return d
}

// jobIDs gives every test its own job id, so that the label filters of
// parallel tests (and of concurrent `go test` runs) never see each other.
var (
	jobIDBase = time.Now().UnixNano() % 1_000_000_000 * 1000
	jobIDs    atomic.Int64
)

func nextJobID() int64 { return jobIDBase + jobIDs.Add(1) }

// assertNoLeftovers lists containers, networks and volumes with the job's
// label: after Cleanup there must be none.
func assertNoLeftovers(t *testing.T, d *Docker, jobID int64) {
	t.Helper()
	ctx := context.Background()
	f := client.Filters{}.Add("label", LabelJobID+"="+strconv.FormatInt(jobID, 10))
	var left []string
	cs, err := d.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs.Items {
		left = append(left, "container "+strings.Join(c.Names, ","))
	}
	ns, err := d.api.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns.Items {
		left = append(left, "network "+n.Name)
	}
	vs, err := d.api.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs.Items {
		left = append(left, "volume "+v.Name)
	}
	if len(left) > 0 {
		t.Errorf("left behind after the job: %v", left)
	}
}

// checkGolden compares got with testdata/<test name>.golden, or rewrites
// it with -update.
func checkGolden(t *testing.T, got string) {
	t.Helper()
	name := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	testutil.Golden(t, filepath.Join("testdata", name+".golden"), []byte(got))
}
