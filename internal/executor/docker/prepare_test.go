package docker

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// A Prepare that fails says why in one line and leaves nothing behind.
func TestPrepareErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts Options
		spec executor.Spec
		want string
	}{
		{"no payload", Options{}, executor.Spec{}, "the job has no image: the docker executor needs one (or use --executor shell)"},
		{"no image", Options{}, jobSpec("", job.Image{}), "the job has no image: the docker executor needs one (or use --executor shell)"},
		{"missing image, never pull", Options{PullPolicy: PullNever},
			jobSpec("", job.Image{Name: "jobrun-test/absent:1"}),
			`image jobrun-test/absent:1 is not on this host and the pull policy is "never"`},
		{"missing service image", Options{PullPolicy: PullNever},
			jobSpec("", job.Image{Name: busyboxImage}, job.Service{Name: "jobrun-test/absent-svc:1"}),
			`service jobrun-test/absent-svc:1: image jobrun-test/absent-svc:1 is not on this host and the pull policy is "never"`},
		{"bad file key", Options{PullPolicy: PullNever},
			withFiles(jobSpec("", job.Image{Name: busyboxImage}), executor.File{Key: "../x", Content: "s3cret-content"}),
			`file variable "../x": not a valid variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := engine(t, tt.opts)
			tt.spec.Dir = t.TempDir()
			_, err := d.Prepare(context.Background(), tt.spec)
			if err == nil || err.Error() != tt.want {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret-content") {
				t.Errorf("the error shows a file variable's content")
			}
			if tt.spec.Payload != nil {
				assertNoLeftovers(t, d, tt.spec.Payload.ID)
			}
		})
	}
}

func TestNoEngine(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "no-docker.sock")
	_, err := New(context.Background(), Options{Host: "unix://" + sock})
	if !errors.Is(err, ErrNoEngine) {
		t.Fatalf("err = %v, want ErrNoEngine", err)
	}
	for _, want := range []string{"no Docker engine answers at unix://" + sock, "DOCKER_HOST", "--docker-host", "dockerd"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

// An entrypoint that exits instead of running its arguments is named as
// the cause, at Prepare or at the latest at the first script that starts
// after the container has exited. (On a loaded machine /bin/false may
// still be alive while Prepare's and even a script's exec run: that
// script then runs, and only the next one can tell.)
func TestEntrypointThatExits(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	spec := jobSpec(t.TempDir(), job.Image{Name: busyboxImage, Entrypoint: []string{"/bin/false"}})
	s, err := d.Prepare(context.Background(), spec)
	if err == nil {
		waitUntilExited(t, d, s.(*session).container)
		_, err = s.Run(context.Background(), executor.Script{Commands: []string{"true"}, Output: &bytes.Buffer{}})
		_ = s.Cleanup()
	}
	const want = "the build container exited with code 1 right after it started"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want %q...", err, want)
	}
	assertNoLeftovers(t, d, spec.Payload.ID)
}

// waitUntilExited polls the engine until the container is no longer
// running (30 s at most).
func waitUntilExited(t *testing.T, d *Docker, id string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		res, err := d.api.ContainerInspect(context.Background(), id, client.ContainerInspectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if st := res.Container.State; st != nil && !st.Running {
			return
		}
	}
	t.Fatalf("container %s still running after 30 s", id)
}

// --privileged is loud and never the default.
func TestPrivileged(t *testing.T) {
	t.Parallel()
	for _, privileged := range []bool{false, true} {
		var warnings bytes.Buffer
		d := engine(t, Options{PullPolicy: PullNever, Privileged: privileged, Warnings: &warnings})
		if got := warnings.String() == PrivilegedWarning; got != privileged {
			t.Errorf("privileged=%v: warning printed = %q", privileged, warnings.String())
		}
		// Privileged containers cannot start where jobrun's tests run
		// (no capabilities to give), so the configuration is checked.
		s := &session{d: d, hostDir: "/h", projectDir: "/builds/p"}
		_, host := s.buildContainerConfig(job.Image{Name: busyboxImage}, nil)
		if host.Privileged != privileged {
			t.Errorf("HostConfig.Privileged = %v, want %v", host.Privileged, privileged)
		}
	}
	if (Options{}).Privileged {
		t.Error("privileged by default")
	}
}

// --volume mounts host paths and job-private volumes; the latter go
// away with the job.
func TestVolumes(t *testing.T) {
	t.Parallel()
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "shared.txt"), []byte("shared\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d := engine(t, Options{PullPolicy: PullNever, Volumes: []string{hostDir + ":/shared:ro", "/cache"}})
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}))
	if len(s.volumes) != 1 {
		t.Fatalf("volumes made: %v, want one for /cache", s.volumes)
	}
	var out bytes.Buffer
	code, err := s.Run(context.Background(), executor.Script{Commands: []string{"cat /shared/shared.txt", "echo x > /cache/x", "! touch /shared/y 2>/dev/null"}, Output: &out})
	if err != nil || code != 0 {
		t.Errorf("Run = %d, %v: %s", code, err, out.String())
	}
	if !strings.Contains(out.String(), "\nshared\n") {
		t.Errorf("host file not visible: %q", out.String())
	}
}

// RemoveLeftovers removes what a jobrun that died before Cleanup left
// behind, and keeps what a live jobrun is still using.
func TestRemoveLeftovers(t *testing.T) {
	t.Parallel()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	crashed := engine(t, Options{PullPolicy: PullNever, Volumes: []string{"/cache"}})
	crashed.pid = dead.Process.Pid // as if that process had made them
	tagServiceImage(t, crashed)
	left := jobSpec(t.TempDir(), job.Image{Name: busyboxImage}, httpService(""))
	if _, err := crashed.Prepare(context.Background(), left); err != nil {
		t.Fatal(err)
	}
	d := engine(t, Options{PullPolicy: PullNever})
	live := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}))

	removed, err := d.RemoveLeftovers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The crashed session's objects must be gone. The counts are not
	// checked: any other jobrun on this host (another test package's
	// `jobrun exec`, which cleans up at start) may remove them first.
	t.Logf("removed %+v", removed)
	assertNoLeftovers(t, d, left.Payload.ID)
	if err := live.checkRunning(context.Background()); err != nil {
		t.Errorf("a live session's container was removed: %v", err)
	}
}

// Cleanup finds the session's objects by label: a container whose ID the
// session never learned (its creation was interrupted) goes too.
func TestCleanupByLabel(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	spec := jobSpec(t.TempDir(), job.Image{Name: busyboxImage})
	sess, err := d.Prepare(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	s := sess.(*session)
	if _, err := d.api.ContainerCreate(context.Background(), client.ContainerCreateOptions{
		Config: &container.Config{Image: busyboxImage, Labels: s.labels("service")},
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, d, spec.Payload.ID)
}
