package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"time"
)

// Shell is the shell executor: scripts run on this host, with the user's
// privileges, in bash when it is installed and sh otherwise.
type Shell struct {
	// Shell forces Bash or Sh; empty picks bash when present.
	Shell string
	// Grace is the time between SIGTERM and SIGKILL; 0 means DefaultGrace.
	Grace time.Duration
	// TempDir is where private per-job directories are made; empty means
	// os.TempDir().
	TempDir string
}

// Name implements Executor.
func (e *Shell) Name() string { return "shell" }

// fileKey is what a variable name may look like; anything else could
// escape the private directory when used as a file name.
var fileKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Prepare implements Executor: it finds the shell, checks the working
// directory and writes the file-type variables into a private directory.
func (e *Shell) Prepare(_ context.Context, spec Spec) (Session, error) {
	name, path, err := e.findShell()
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(spec.Dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("working directory %q is not a directory", spec.Dir)
	}
	// MkdirTemp creates the directory with mode 0700: only this user can
	// list or open the job's files.
	private, err := os.MkdirTemp(e.TempDir, "jobrun-job-")
	if err != nil {
		return nil, fmt.Errorf("creating the job's private directory: %w", err)
	}
	s := &shellSession{
		shell: name, path: path, dir: spec.Dir, private: private,
		tty: spec.TTY, grace: e.grace(), files: map[string]string{},
	}
	for _, f := range spec.Files {
		if err := s.writeFile(f); err != nil {
			_ = s.Cleanup()
			return nil, err
		}
	}
	return s, nil
}

func (e *Shell) grace() time.Duration {
	if e.Grace > 0 {
		return e.Grace
	}
	return DefaultGrace
}

func (e *Shell) findShell() (name, path string, err error) {
	candidates := []string{Bash, Sh}
	if e.Shell != "" {
		candidates = []string{e.Shell}
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return c, p, nil
		}
	}
	return "", "", fmt.Errorf("no shell to run the job: %v not found on PATH", candidates)
}

type shellSession struct {
	shell, path string
	dir         string
	private     string
	tty         bool
	grace       time.Duration
	files       map[string]string

	mu      sync.Mutex
	scripts int
	cleaned bool
}

func (s *shellSession) Shell() string { return s.shell }

func (s *shellSession) FilePaths() map[string]string {
	out := make(map[string]string, len(s.files))
	for k, v := range s.files {
		out[k] = v
	}
	return out
}

func (s *shellSession) writeFile(f File) error {
	if !fileKey.MatchString(f.Key) {
		// The key, not the value: the value may be a secret.
		return fmt.Errorf("file variable %q: not a valid variable name", f.Key)
	}
	p := filepath.Join(s.private, f.Key)
	if err := os.WriteFile(p, []byte(f.Content), 0o600); err != nil {
		return fmt.Errorf("writing file variable %s: %w", f.Key, err)
	}
	s.files[f.Key] = p
	return nil
}

// Run implements Session. The script goes to a 0600 file in the private
// directory (it holds commands, not values) and the shell reads it from
// there, so neither argv nor stdin carries anything but its path.
func (s *shellSession) Run(ctx context.Context, sc Script) (int, error) {
	s.mu.Lock()
	if s.cleaned {
		s.mu.Unlock()
		return -1, errors.New("session already cleaned up")
	}
	s.scripts++
	scriptPath := filepath.Join(s.private, fmt.Sprintf("script-%d.sh", s.scripts))
	s.mu.Unlock()
	if err := os.WriteFile(scriptPath, []byte(RenderScript(s.shell, sc.Commands)), 0o600); err != nil {
		return -1, fmt.Errorf("writing the job script: %w", err)
	}
	defer os.Remove(scriptPath)

	args := []string{scriptPath}
	if s.shell == Bash {
		// No profile or rc file: the job's environment is what the
		// runner gives it, as in CI.
		args = []string{"--noprofile", "--norc", scriptPath}
	}
	cmd := exec.Command(s.path, args...)
	cmd.Dir = s.dir
	cmd.Env = sc.Env
	out := sc.Output
	if out == nil {
		out = io.Discard
	}
	p := process{cmd: cmd, grace: s.grace, tty: s.tty}
	return p.run(ctx, out)
}

// Cleanup implements Session.
func (s *shellSession) Cleanup() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cleaned {
		return nil
	}
	s.cleaned = true
	if err := os.RemoveAll(s.private); err != nil {
		return fmt.Errorf("removing the job's private files: %w", err)
	}
	return nil
}
