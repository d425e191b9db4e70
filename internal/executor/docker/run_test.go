package docker

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// green is how the shell echoes a command.
func green(s string) string { return "\x1b[32;1m" + s + "\x1b[0;m\n" }

// jobSpec is the Spec of a fresh job (its own id, project group/project)
// with image and services; an empty dir is filled in by prepare.
func jobSpec(dir string, img job.Image, services ...job.Service) executor.Spec {
	id := nextJobID()
	return executor.Spec{Dir: dir, Payload: &job.Payload{
		ID: id, JobInfo: job.JobInfo{ID: id, ProjectFullPath: "group/project"}, Image: img, Services: services,
	}}
}

func withFiles(spec executor.Spec, files ...executor.File) executor.Spec {
	spec.Files = files
	return spec
}

// prepare starts a session for spec and removes it, checking that
// nothing is left, when the test ends.
func prepare(t *testing.T, d *Docker, spec executor.Spec) *session {
	t.Helper()
	if spec.Dir == "" {
		spec.Dir = t.TempDir()
	}
	s, err := d.Prepare(context.Background(), spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Cleanup(); err != nil {
			t.Errorf("Cleanup: %v", err)
		}
		assertNoLeftovers(t, d, spec.Payload.ID)
	})
	return s.(*session)
}

func TestRunScripts(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	tests := []struct {
		name     string
		image    string
		commands []string
		want     string
		code     int
	}{
		{"echo and order", busyboxImage, []string{"echo one", "echo two"},
			green("$ echo one") + "one\n" + green("$ echo two") + "two\n", 0},
		{"first failure stops sh", busyboxImage, []string{"echo a", "exit 3", "echo never"},
			green("$ echo a") + "a\n" + green("$ exit 3"), 3},
		{"stderr merged in order", busyboxImage, []string{"echo out; echo err >&2; echo out2"},
			green("$ echo out; echo err >&2; echo out2") + "out\nerr\nout2\n", 0},
		{"bash is found and has pipefail", bashImage, []string{`echo "$BASH_VERSION" | cut -c1-2 | grep -c .`, "false | true", "echo never"},
			green(`$ echo "$BASH_VERSION" | cut -c1-2 | grep -c .`) + "1\n" + green("$ false | true"), 1},
		{"variables come from the API", busyboxImage, []string{`echo "$GREETING"`},
			green(`$ echo "$GREETING"`) + "hello\n", 0},
		{"working copy at /builds", busyboxImage, []string{`pwd; echo "$CI_PROJECT_DIR $CI_BUILDS_DIR"; cat hello.txt`},
			green(`$ pwd; echo "$CI_PROJECT_DIR $CI_BUILDS_DIR"; cat hello.txt`) +
				"/builds/group/project\n/builds/group/project /builds\nfrom the host\n", 0},
		{"no input", busyboxImage, []string{"cat; echo read-eof"},
			green("$ cat; echo read-eof") + "read-eof\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("from the host\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			s := prepare(t, d, jobSpec(dir, job.Image{Name: tt.image}))
			env := []string{"PATH=" + os.Getenv("PATH"), "GREETING=hello", "CI_PROJECT_DIR=" + dir, "CI_BUILDS_DIR=" + filepath.Dir(dir)}
			var out bytes.Buffer
			code, err := s.Run(context.Background(), executor.Script{Commands: tt.commands, Env: env, Output: &out})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if code != tt.code {
				t.Errorf("exit code = %d, want %d", code, tt.code)
			}
			if diff := cmp.Diff(tt.want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellDetection(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	for image, want := range map[string]string{busyboxImage: executor.Sh, bashImage: executor.Bash} {
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			s := prepare(t, d, jobSpec("", job.Image{Name: image}))
			if s.Shell() != want {
				t.Errorf("Shell() = %q, want %q", s.Shell(), want)
			}
		})
	}
}

// The script writes into the bind-mounted working copy; the host sees it.
func TestWorkingCopyIsShared(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	dir := t.TempDir()
	s := prepare(t, d, jobSpec(dir, job.Image{Name: busyboxImage}))
	var out bytes.Buffer
	if code, err := s.Run(context.Background(), executor.Script{Commands: []string{"echo built > out.txt"}, Output: &out}); err != nil || code != 0 {
		t.Fatalf("Run = %d, %v; output %q", code, err, out.String())
	}
	got, err := os.ReadFile(filepath.Join(dir, "out.txt"))
	if err != nil || strings.TrimSpace(string(got)) != "built" {
		t.Errorf("out.txt = %q, %v", got, err)
	}
}

// The host's PATH, which the runner's base environment carries, must not
// replace the image's: the image's binaries live elsewhere.
func TestImagePathWins(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	img, err := d.api.ImageInspect(context.Background(), busyboxImage)
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, kv := range img.Config.Env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			want = v
		}
	}
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}))
	var out bytes.Buffer
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	if _, err := s.Run(context.Background(), executor.Script{Commands: []string{`echo "$PATH"`}, Env: env, Output: &out}); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(green(`$ echo "$PATH"`)+want+"\n", out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

// image:docker:user runs every script, and owns the private files, as
// that user: a numeric one, or a name from the image's passwd file.
func TestImageUser(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	for user, wantID := range map[string]string{"65534:65534": "65534", "65534": "65534", "root": "0"} {
		t.Run(user, func(t *testing.T) {
			t.Parallel()
			img := job.Image{Name: busyboxImage, ExecutorOpts: job.ExecutorOpts{Docker: &job.DockerOpts{User: user}}}
			s := prepare(t, d, withFiles(jobSpec("", img), executor.File{Key: "CONFIG", Content: "cfg-content\n"}))
			var out bytes.Buffer
			cmd := `id -u; cat "$CONFIG"; stat -c %u "$CONFIG"`
			env := []string{"CONFIG=" + s.FilePaths()["CONFIG"]}
			code, err := s.Run(context.Background(), executor.Script{Commands: []string{cmd}, Env: env, Output: &out})
			if err != nil || code != 0 {
				t.Fatalf("Run = %d, %v: %q", code, err, out.String())
			}
			if want := green("$ "+cmd) + wantID + "\ncfg-content\n" + wantID + "\n"; out.String() != want {
				t.Errorf("output %q, want %q", out.String(), want)
			}
		})
	}
}

// A script without an Output writer runs; its output is discarded.
func TestRunWithoutOutput(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever})
	s := prepare(t, d, jobSpec("", job.Image{Name: busyboxImage}))
	code, err := s.Run(context.Background(), executor.Script{Commands: []string{"echo discarded", "exit 5"}})
	if err != nil || code != 5 {
		t.Errorf("Run = %d, %v; want 5, nil", code, err)
	}
}
