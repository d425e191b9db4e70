package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// While a script runs, nothing the engine shows about its containers or
// execs, no command line on this host, and no script file in the
// container holds a secret: the environment travels in the API request.
func TestSecretsStayOffCommandLines(t *testing.T) {
	t.Parallel()
	d := engine(t, Options{PullPolicy: PullNever, Grace: 200 * time.Millisecond})
	const secret = "Sup3r-s3cret-value-9f2c"
	const fileSecret = "file-only-s3cret-77aa"
	s := prepare(t, d, withFiles(jobSpec("", job.Image{Name: busyboxImage}), executor.File{Key: "SECRET_FILE", Content: fileSecret}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	var out bytes.Buffer
	go func() {
		defer close(done)
		_, _ = s.Run(ctx, executor.Script{
			Commands: []string{`echo "$MY_SECRET" > /tmp/seen; echo ready`, `sleep 300`},
			Env:      []string{"MY_SECRET=" + secret},
			Output:   &out,
		})
	}()
	if !waitForPath(t, s, "/tmp/seen") {
		t.FailNow()
	}

	inspected, err := d.api.ContainerInspect(context.Background(), s.container, client.ContainerInspectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]string{"docker inspect": string(inspected.Raw)}
	places["host command lines"] = hostCommandLines(t)
	places["script files in the container"] = privateFiles(t, s, "script-")
	for where, text := range places {
		if text == "" {
			t.Errorf("%s: nothing to look at", where)
		}
		for _, v := range []string{secret, fileSecret} {
			if strings.Contains(text, v) {
				t.Errorf("%s shows a secret", where)
			}
		}
	}
	// The check can fail: the script did see the secret.
	if got := readInContainer(t, s, "/tmp/seen"); strings.TrimSpace(got) != secret {
		t.Errorf("the script saw %q, want the secret", got)
	}
	cancel()
	<-done
}

// hostCommandLines is every process's argv on this host, NUL → space.
func hostCommandLines(t *testing.T) string {
	t.Helper()
	paths, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no process list: %v", err)
	}
	var b strings.Builder
	for _, p := range paths {
		if c, err := os.ReadFile(p); err == nil {
			b.Write(bytes.ReplaceAll(c, []byte{0}, []byte{' '}))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// privateFiles concatenates the session's private files whose names
// start with prefix, read back through the archive API.
func privateFiles(t *testing.T, s *session, prefix string) string {
	t.Helper()
	res, err := s.d.api.CopyFromContainer(context.Background(), s.container, client.CopyFromContainerOptions{SourcePath: s.private})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Content.Close()
	var b strings.Builder
	tr := tar.NewReader(res.Content)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(filepath.Base(h.Name), prefix) {
			if h.Mode&0o077 != 0 {
				t.Errorf("%s has mode %o, want 0600", h.Name, h.Mode)
			}
			_, _ = io.Copy(&b, tr)
		}
	}
	return b.String()
}

func readInContainer(t *testing.T, s *session, path string) string {
	t.Helper()
	res, err := s.d.api.CopyFromContainer(context.Background(), s.container, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Content.Close()
	tr := tar.NewReader(res.Content)
	if _, err := tr.Next(); err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(tr)
	return string(b)
}

// waitForPath waits until path exists in the build container; it may be
// called from another goroutine, so it reports with Errorf.
func waitForPath(t *testing.T, s *session, path string) bool {
	for range 500 {
		if _, err := s.d.api.ContainerStatPath(context.Background(), s.container, client.ContainerStatPathOptions{Path: path}); err == nil {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("%s never appeared in the container", path)
	return false
}
