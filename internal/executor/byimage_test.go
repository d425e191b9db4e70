package executor

import (
	"context"
	"testing"

	"github.com/jobrun/jobrun/internal/job"
)

// dockerLike stands for the Docker executor: only its name matters here.
type dockerLike struct{}

func (dockerLike) Name() string { return "docker" }
func (dockerLike) Prepare(context.Context, Spec) (Session, error) {
	return nil, context.Canceled
}

func TestByImagePicks(t *testing.T) {
	t.Parallel()
	withImage := &job.Payload{Image: job.Image{Name: "busybox:latest"}}
	tests := []struct {
		name string
		ex   Executor
		p    *job.Payload
		want string
	}{
		{"image goes to docker", ByImage{Shell: &Shell{}, Docker: dockerLike{}}, withImage, "docker"},
		{"no image goes to the shell", ByImage{Shell: &Shell{}, Docker: dockerLike{}}, &job.Payload{}, "shell"},
		{"no docker executor: the shell", ByImage{Shell: &Shell{}}, withImage, "shell"},
		{"nil payload: the shell", ByImage{Shell: &Shell{}, Docker: dockerLike{}}, nil, "shell"},
		{"a plain executor is itself", &Shell{}, withImage, "shell"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Pick(tc.ex, tc.p).Name(); got != tc.want {
				t.Errorf("Pick = %s, want %s", got, tc.want)
			}
		})
	}
}

// Prepare goes to the picked executor: a job without an image gets a
// real shell session in its directory.
func TestByImagePrepare(t *testing.T) {
	t.Parallel()
	b := ByImage{Shell: &Shell{}, Docker: dockerLike{}}
	s, err := b.Prepare(context.Background(), Spec{Payload: &job.Payload{}, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Cleanup()
	if sh := s.Shell(); sh != "bash" && sh != "sh" {
		t.Errorf("shell %q", sh)
	}
	if _, err := b.Prepare(context.Background(), Spec{Payload: &job.Payload{Image: job.Image{Name: "x"}}, Dir: t.TempDir()}); err != context.Canceled {
		t.Errorf("a job with an image was not prepared by the docker executor: %v", err)
	}
}
