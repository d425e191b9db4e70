package executor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/testutil"

	"github.com/google/go-cmp/cmp"
)

// green is how the shell echoes a command.
func green(s string) string { return "\x1b[32;1m" + s + "\x1b[0;m\n" }

func testEnv() []string {
	return []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
}

func prepare(t *testing.T, e *Shell, spec Spec) Session {
	t.Helper()
	if spec.Dir == "" {
		spec.Dir = t.TempDir()
	}
	if e.TempDir == "" {
		e.TempDir = t.TempDir()
	}
	s, err := e.Prepare(context.Background(), spec)
	if err != nil {
		t.Fatalf("Prepare: %v", err)
	}
	t.Cleanup(func() { _ = s.Cleanup() })
	return s
}

func TestShellScripts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		shell    string
		commands []string
		want     string
		code     int
	}{
		{"echo and order", Bash, []string{"echo one", "echo two"},
			green("$ echo one") + "one\n" + green("$ echo two") + "two\n", 0},
		{"first failure stops bash", Bash, []string{"echo a", "exit 3", "echo never"},
			green("$ echo a") + "a\n" + green("$ exit 3"), 3},
		{"first failure stops sh", Sh, []string{"false", "echo never"}, green("$ false"), 1},
		{"pipefail in bash", Bash, []string{"false | true", "echo never"}, green("$ false | true"), 1},
		{"no pipefail in sh", Sh, []string{"false | true", "echo ok"},
			green("$ false | true") + green("$ echo ok") + "ok\n", 0},
		{"stderr merged in order", Bash, []string{"echo out; echo err >&2; echo out2"},
			green("$ echo out; echo err >&2; echo out2") + "out\nerr\nout2\n", 0},
		{"quotes and percent signs", Sh, []string{`printf '%s\n' "it's 100%"`},
			green(`$ printf '%s\n' "it's 100%"`) + "it's 100%\n", 0},
		{"multi-line command", Bash, []string{"if true; then\n  echo yes\nfi"},
			green("$ if true; then # collapsed multi-line command") + "yes\n", 0},
		{"variables come from the environment", Bash, []string{`echo "$GREETING"`},
			green(`$ echo "$GREETING"`) + "hello\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := prepare(t, &Shell{Shell: tt.shell}, Spec{})
			var out bytes.Buffer
			code, err := s.Run(context.Background(), Script{
				Commands: tt.commands, Env: append(testEnv(), "GREETING=hello"), Output: &out,
			})
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

func TestShellTTY(t *testing.T) {
	t.Parallel()
	for _, tty := range []bool{false, true} {
		t.Run(strconv.FormatBool(tty), func(t *testing.T) {
			t.Parallel()
			s := prepare(t, &Shell{}, Spec{TTY: tty})
			var out bytes.Buffer
			cmd := `if [ -t 1 ]; then echo terminal; else echo pipe; fi; echo err >&2`
			if _, err := s.Run(context.Background(), Script{Commands: []string{cmd}, Env: testEnv(), Output: &out}); err != nil {
				t.Fatal(err)
			}
			want := green("$ "+cmd) + map[bool]string{true: "terminal\n", false: "pipe\n"}[tty] + "err\n"
			if diff := cmp.Diff(want, out.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

func TestShellFileVariables(t *testing.T) {
	t.Parallel()
	e := &Shell{TempDir: t.TempDir()}
	s := prepare(t, e, Spec{Files: []File{{Key: "DEPLOY_KEY", Content: "-----BEGIN KEY-----\nabc\n"}}})
	path := s.FilePaths()["DEPLOY_KEY"]
	if path == "" {
		t.Fatal("no path for DEPLOY_KEY")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode = %v, want 0600", fi.Mode().Perm())
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("private dir mode = %v (%v), want 0700", di.Mode().Perm(), err)
	}
	var out bytes.Buffer
	if _, err := s.Run(context.Background(), Script{
		Commands: []string{`cat "$DEPLOY_KEY"`}, Env: append(testEnv(), "DEPLOY_KEY="+path), Output: &out,
	}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(out.String(), "-----BEGIN KEY-----\nabc\n") {
		t.Errorf("script did not read the file: %q", out.String())
	}
	if err := s.Cleanup(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("private dir still there after Cleanup: %v", err)
	}
	entries, _ := os.ReadDir(e.TempDir)
	if len(entries) != 0 {
		t.Errorf("left behind in temp dir: %v", entries)
	}
}

func TestShellPrepareErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		e    *Shell
		spec Spec
		want string
	}{
		{"missing dir", &Shell{}, Spec{Dir: "/nonexistent/jobrun"}, `working directory "/nonexistent/jobrun" is not a directory`},
		{"no shell", &Shell{Shell: "no-such-shell-jobrun"}, Spec{Dir: "."}, "no shell to run the job: [no-such-shell-jobrun] not found on PATH"},
		{"bad file key", &Shell{}, Spec{Dir: ".", Files: []File{{Key: "../x", Content: "s3cret-content"}}}, `file variable "../x": not a valid variable name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.e.TempDir = t.TempDir()
			_, err := tt.e.Prepare(context.Background(), tt.spec)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if entries, _ := os.ReadDir(tt.e.TempDir); len(entries) != 0 {
				t.Errorf("private files left after a failed Prepare: %v", entries)
			}
		})
	}
}

// Stopping a script ends its whole process group, including a child that
// ignores SIGTERM, and a child left running after a script that succeeded.
func TestShellStopsProcessGroup(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		command string
		cancel  bool
	}{
		{"cancel", `sleep 300 & echo $! > child.pid; wait`, true},
		{"cancel ignoring SIGTERM", `(trap '' TERM; exec sleep 300) & echo $! > child.pid; wait`, true},
		{"background child after success", `sleep 300 & echo $! > child.pid`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			s := prepare(t, &Shell{Grace: 200 * time.Millisecond}, Spec{Dir: dir})
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				go func() {
					waitForFile(t, filepath.Join(dir, "child.pid"))
					cancel()
				}()
			}
			var out bytes.Buffer
			code, err := s.Run(ctx, Script{Commands: []string{tt.command}, Env: testEnv(), Output: &out})
			if err != nil {
				t.Fatal(err)
			}
			if tt.cancel && code == 0 {
				t.Errorf("canceled script exited 0")
			}
			pid := readPid(t, filepath.Join(dir, "child.pid"))
			if !testutil.ProcessGone(pid) {
				t.Errorf("child %d still running after Run returned", pid)
			}
		})
	}
}

func waitForFile(t *testing.T, path string) {
	for range 500 {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 && b[len(b)-1] == '\n' {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%s never appeared", path)
}

func readPid(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
