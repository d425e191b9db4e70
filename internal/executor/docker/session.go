package docker

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/executor"
)

// session is one job's containers, network and volumes.
type session struct {
	d     *Docker
	id    string
	jobID int64
	// hostDir is the working copy on this host; projectDir is where the
	// build container sees it.
	hostDir, projectDir string
	// givenDir is Spec.Dir as the runner wrote it (maybe relative) into
	// CI_PROJECT_DIR.
	givenDir string
	// private is the container directory (0700) that holds the scripts
	// and file-type variables.
	private          string
	user             string
	shell, shellPath string
	files            map[string]string

	container string    // the build container's ID
	network   string    // the per-job network's ID, when one was made
	services  []service // in the order of the job's services
	volumes   []string  // volume names made for the job

	mu         sync.Mutex
	notes      bytes.Buffer // warnings for the job log, printed by the next Run
	scripts    int
	killed     bool // the build container was killed and must be restarted
	loggedSvcs bool
	cleaned    bool
}

// Shell implements executor.Session: "bash" or "sh", as found in the image.
func (s *session) Shell() string { return s.shell }

// FilePaths implements executor.Session; the paths are inside the build
// container.
func (s *session) FilePaths() map[string]string {
	out := make(map[string]string, len(s.files))
	for k, v := range s.files {
		out[k] = v
	}
	return out
}

// Run implements executor.Session. The environment goes in the exec
// request. The script text (commands and $VAR references, never values)
// goes through the exec's stdin into a 0600 file in the private
// directory, and the shell then runs that file with stdin from /dev/null
// and stderr joined to stdout, so the log keeps the order the job wrote
// in. Its command line holds nothing but paths.
func (s *session) Run(ctx context.Context, sc executor.Script) (int, error) {
	s.mu.Lock()
	if s.cleaned {
		s.mu.Unlock()
		return -1, errors.New("session already cleaned up")
	}
	s.scripts++
	path := fmt.Sprintf("%s/script-%d.sh", s.private, s.scripts)
	notes := s.notes.String()
	s.notes.Reset()
	s.mu.Unlock()
	if sc.Output == nil {
		sc.Output = io.Discard
	}
	if _, err := io.WriteString(sc.Output, notes); err != nil {
		return -1, fmt.Errorf("writing the job log: %w", err)
	}
	// The Engine API calls below must outlive a cancelled ctx: stopping
	// the script is done here, not by dropping the connection.
	api := context.WithoutCancel(ctx)
	if err := s.ensureRunning(api); err != nil {
		return -1, err
	}
	created, err := s.d.api.ExecCreate(api, s.container, client.ExecCreateOptions{
		User: s.user, AttachStdin: true, AttachStdout: true, AttachStderr: true,
		Env: s.env(sc.Env), WorkingDir: s.projectDir, Cmd: s.bootstrap(path),
	})
	if err != nil {
		if rerr := s.checkRunning(api); rerr != nil {
			return -1, rerr
		}
		return -1, fmt.Errorf("creating the script's process: %w", err)
	}
	attached, err := s.d.api.ExecAttach(api, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return -1, fmt.Errorf("starting the script: %w", err)
	}
	defer attached.Close()
	copied := make(chan error, 1)
	go func() {
		_, err := stdcopy.StdCopy(sc.Output, sc.Output, attached.Reader)
		copied <- err
	}()
	text := "exec 2>&1\n" + executor.RenderScript(s.shell, sc.Commands)
	if _, err := io.WriteString(attached.Conn, text); err != nil {
		return -1, fmt.Errorf("sending the script: %w", err)
	}
	if err := attached.CloseWrite(); err != nil {
		return -1, fmt.Errorf("sending the script: %w", err)
	}
	var copyErr error
	select {
	case copyErr = <-copied:
	case <-ctx.Done():
		copyErr = s.stop(api, copied)
	}
	code, err := s.exitCode(api, created.ID)
	if err != nil {
		return -1, err
	}
	if copyErr != nil {
		return code, fmt.Errorf("streaming the job output: %w", copyErr)
	}
	if code != 0 && ctx.Err() == nil {
		s.appendServiceLogs(api, sc.Output)
	}
	return code, nil
}

// bootstrap is the exec's command: store stdin as the script file
// (private: umask 077), then replace itself with the job's shell running
// that file, without a profile or rc file in bash.
func (s *session) bootstrap(path string) []string {
	run := quote(s.shellPath)
	if s.shell == executor.Bash {
		run += " --noprofile --norc"
	}
	line := fmt.Sprintf("umask 077 && mkdir -p %s && cat > %s && exec %s %s </dev/null",
		quote(s.private), quote(path), run, quote(path))
	return []string{s.shellPath, "-c", line}
}

// quote single-quotes s for any POSIX shell.
func quote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// stop asks every process of the job in the build container to end
// (SIGTERM to all but its init process, like `docker stop` would), and
// kills the container when the grace period is over. It returns when the
// script's output has ended.
func (s *session) stop(api context.Context, copied <-chan error) error {
	term, err := s.d.api.ExecCreate(api, s.container, client.ExecCreateOptions{
		User: s.user, Cmd: []string{s.shellPath, "-c", "kill -TERM -1"},
	})
	if err == nil {
		_, _ = s.d.api.ExecStart(api, term.ID, client.ExecStartOptions{Detach: true})
	}
	timer := time.NewTimer(s.d.grace())
	defer timer.Stop()
	select {
	case err := <-copied:
		return err
	case <-timer.C:
	}
	s.mu.Lock()
	s.killed = true
	s.mu.Unlock()
	_, _ = s.d.api.ContainerKill(api, s.container, client.ContainerKillOptions{Signal: "KILL"})
	return <-copied
}

// ensureRunning restarts the build container after stop killed it, so
// that after_script runs in the same container (same files) after a
// timeout or cancel.
func (s *session) ensureRunning(ctx context.Context) error {
	s.mu.Lock()
	killed := s.killed
	s.killed = false
	s.mu.Unlock()
	if !killed {
		return nil
	}
	if _, err := s.d.api.ContainerStart(ctx, s.container, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("restarting the build container: %w", err)
	}
	return nil
}

// exitCode waits for the exec to be reported ended and returns its code;
// a process killed with its container reports 137 like `docker run`.
func (s *session) exitCode(ctx context.Context, execID string) (int, error) {
	for range 250 {
		res, err := s.d.api.ExecInspect(ctx, execID, client.ExecInspectOptions{})
		if err != nil {
			return -1, fmt.Errorf("reading the script's exit code: %w", err)
		}
		if !res.Running {
			return res.ExitCode, nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return 137, nil
}

// hostOnly are the keys of the runner host's own environment that would
// break an image (its PATH, its HOME): dropped when they carry exactly
// this host's value, so the image's ENV applies. A job variable of the
// same name with another value goes through.
var hostOnly = []string{"PATH", "HOME", "USER", "LOGNAME", "SHELL", "TMPDIR"}

// env is the script's environment as the container must see it: paths
// into the host's working copy turned into paths under /builds.
func (s *session) env(in []string) []string {
	out := make([]string, 0, len(in))
	for _, kv := range in {
		k, v, _ := strings.Cut(kv, "=")
		if hv, ok := os.LookupEnv(k); ok && hv == v && isHostOnly(k) {
			continue
		}
		switch {
		case k == "CI_BUILDS_DIR":
			v = BuildsDir
		case v == s.hostDir, v == s.givenDir && s.givenDir != "":
			v = s.projectDir
		case strings.HasPrefix(v, s.hostDir+"/"):
			v = s.projectDir + v[len(s.hostDir):]
		}
		out = append(out, k+"="+v)
	}
	return out
}

func isHostOnly(k string) bool {
	for _, h := range hostOnly {
		if h == k {
			return true
		}
	}
	return false
}

// Cleanup implements executor.Session: it removes the build container,
// the services, the network and the volumes, whatever state they are
// in. It finds them by the session's label, not by the IDs it noted, so
// that an object whose creation was interrupted (Ctrl-C during Prepare)
// goes too. It is safe to call twice.
func (s *session) Cleanup() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cleaned {
		return nil
	}
	s.cleaned = true
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := s.d.removeLabelled(ctx, LabelSession+"="+s.id, nil); err != nil {
		return fmt.Errorf("removing the job's containers, network and volumes: %w", err)
	}
	return nil
}
