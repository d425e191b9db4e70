package exec

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/executor/docker"
	"github.com/jobrun/jobrun/internal/testutil"
)

// Ctrl-C through `jobrun exec`: the running job is canceled, its
// after_script runs, the summary is printed, the exit code is 130, no
// process of the job is left and the log file is complete.
func TestExecInterrupt(t *testing.T) {
	t.Parallel()
	dir := gitProject(t, "interrupt")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		waitFor(t, filepath.Join(dir, ".jobrun", "builds", "1", "started"))
		cancel() // what root.Main's signal.NotifyContext does on SIGINT
	}()
	r := execPipeline(ctx, t, dir, nil, nil)
	if r.exitCode != 130 {
		t.Errorf("exit code %d, want 130", r.exitCode)
	}
	if pids := processesWith(t, "sleep\x00373"); len(pids) > 0 {
		t.Errorf("the job's processes %v outlive jobrun exec", pids)
	}
	entries, err := os.ReadDir(filepath.Join(dir, ".jobrun", "logs", "1"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "long.log" {
			t.Errorf("unexpected file %s in the log directory (half-written log?)", e.Name())
		}
	}
	if !strings.HasSuffix(r.logs["long.log"], "ERROR: Job failed: canceled\x1b[0;m\n") {
		t.Errorf("long.log does not end with the job's verdict:\n%q", r.logs["long.log"])
	}
	checkGolden(t, r.golden())
}

// While a job runs, no process's argument list holds its token or a
// masked value: both travel in the environment only.
func TestExecSecretsNotInProcessArguments(t *testing.T) {
	t.Parallel()
	dir := gitProject(t, "psleak")
	side := t.TempDir()
	tokenFile, release := filepath.Join(side, "token"), filepath.Join(side, "release")
	const secret = "watched-secret-value-42"
	done := make(chan pipelineRun)
	go func() {
		done <- execPipeline(context.Background(), t, dir, map[string]string{"WATCHED_SECRET": secret}, func(o *Options) {
			o.Vars = []string{"TOKEN_OUT=" + tokenFile, "RELEASE=" + release}
			o.Secrets = []string{"WATCHED_SECRET"}
		})
	}()
	waitFor(t, tokenFile)
	token := ""
	for deadline := time.Now().Add(10 * time.Second); !strings.HasPrefix(token, "glcbt-") && time.Now().Before(deadline); {
		b, _ := os.ReadFile(tokenFile)
		token = string(b)
	}
	if !strings.HasPrefix(token, "glcbt-") {
		t.Fatalf("the job wrote no token")
	}
	// The scan must see the job's own processes to mean anything: wait
	// until it finds the job's polling `sleep 0.05`.
	// Each scan looks for the secrets too, so the job is scanned many
	// times while it runs.
	seen := false
	for deadline := time.Now().Add(10 * time.Second); !seen && time.Now().Before(deadline); {
		seen = len(processesWith(t, "sleep\x000.05")) > 0
		for _, s := range []string{token, secret} {
			if pids := processesWith(t, s); len(pids) > 0 {
				t.Errorf("processes %v have a secret in their arguments", pids)
			}
		}
	}
	if !seen {
		t.Error("the job's processes were never seen: the scan is not looking at the right place")
	}
	if err := os.WriteFile(release, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.exitCode != 0 || !strings.Contains(r.out, "released with [MASKED]") {
		t.Errorf("exit code %d, output:\n%s", r.exitCode, r.out)
	}
	r.assertAbsent(t, token, secret)
}

// --executor auto with a real Docker engine: the job with an image runs
// in a container (its token and secret masked, the working copy mounted),
// the job without one on this host; nothing of jobrun's is left in the
// engine afterwards.
func TestExecDockerAuto(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, err := docker.New(ctx, docker.Options{})
	if errors.Is(err, docker.ErrNoEngine) {
		testutil.Missing(t, "no Docker engine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	dir := gitProject(t, "docker")
	const secret = "docker-secret-value-77"
	r := execPipeline(ctx, t, dir, map[string]string{"DOCKER_SECRET": secret}, func(o *Options) {
		o.Executor, o.PullPolicy = "auto", docker.PullNever
		o.Secrets = []string{"DOCKER_SECRET"}
	})
	if r.exitCode != 0 {
		t.Fatalf("exit code %d:\n%s%s", r.exitCode, r.errOut, r.out)
	}
	for _, want := range []string{
		`in-container > Preparing the "docker" executor`, "in-container > plain [MASKED] end", "in-container > base64 [MASKED] end",
		"in-container > secret [MASKED] end", "in-container > project dir /builds/local/001", "in-container > visible-marker-file",
		"in-container > after_script sees CI_JOB_STATUS=success", `on-host      > Preparing the "shell" executor`,
		"on-host      > no image, so auto runs me with the shell",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("output lacks %q:\n%s", want, r.out)
		}
	}
	r.assertAbsent(t, secret)
	host, _ := os.Hostname()
	out, err := exec.Command("docker", "ps", "-aq", "--filter", "label="+docker.LabelOwner+"="+host+":"+strconv.Itoa(os.Getpid())).Output()
	if err != nil {
		t.Fatalf("docker ps: %v", err)
	}
	if len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("containers left behind: %s", out)
	}
}

// --executor docker runs the job in a container; --privileged is never on
// by default, and when asked for it says loudly
// what it gives away before any job runs. (Whether the engine can start a
// privileged container is not this test's business: nested engines often
// cannot.) Not parallel: TestExecDockerAuto checks that no container of
// this process is left, which a concurrent docker test would upset.
func TestExecDockerPrivilegedWarns(t *testing.T) {
	ctx := context.Background()
	d, err := docker.New(ctx, docker.Options{})
	if errors.Is(err, docker.ErrNoEngine) {
		testutil.Missing(t, "no Docker engine: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = d.Close()
	dir := gitProject(t, "docker")
	for _, privileged := range []bool{false, true} {
		r := execPipeline(ctx, t, dir, map[string]string{"DOCKER_SECRET": "docker-secret-value-77"}, func(o *Options) {
			o.Executor, o.PullPolicy, o.Privileged = "docker", docker.PullNever, privileged
			o.Secrets = []string{"DOCKER_SECRET"}
			o.Jobs = []string{"in-container"}
		})
		if !privileged && (!strings.Contains(r.out, "in-container > plain [MASKED] end") ||
			!strings.Contains(r.out, `in-container > Using docker executor with`)) {
			t.Errorf("--executor docker did not run the job in a container:\n%s", r.out)
		}
		r.assertAbsent(t, "docker-secret-value-77")
		warned := strings.Contains(r.errOut, docker.PrivilegedWarning)
		if warned != privileged || (!privileged && r.exitCode != 0) || !strings.Contains(r.out, "Pipeline") {
			t.Errorf("privileged=%v: exit code %d, warned=%v:\n%s%s", privileged, r.exitCode, warned, r.errOut, r.out)
		}
	}
}

// --executor docker with no engine is bad input that says how to start one.
func TestExecDockerNoEngine(t *testing.T) {
	t.Parallel()
	dir := gitProject(t, "docker")
	r := execPipeline(context.Background(), t, dir, nil, func(o *Options) {
		o.Executor, o.DockerHost = "docker", "unix://"+filepath.Join(t.TempDir(), "no-engine.sock")
		o.Jobs = []string{"in-container"}
	})
	if r.exitCode != 2 || !strings.Contains(r.errOut, "no Docker engine answers") || !strings.Contains(r.errOut, "start it") {
		t.Errorf("exit code %d, stderr:\n%s", r.exitCode, r.errOut)
	}
	if r.out != "" {
		t.Errorf("stdout is not empty: %q", r.out)
	}
}

// processesWith lists the pids whose /proc/<pid>/cmdline contains s
// (arguments are NUL-separated there).
func processesWith(t *testing.T, s string) []string {
	t.Helper()
	paths, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil || len(paths) == 0 {
		t.Fatalf("cannot list processes: %v", err)
	}
	var pids []string
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(s)) {
			pids = append(pids, filepath.Base(filepath.Dir(p)))
		}
	}
	return pids
}

// waitFor waits up to 30 s for a file to exist.
func waitFor(t *testing.T, path string) {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%s never appeared", path)
}
