package client_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/archive"
	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/gitsource"
	"github.com/jobrun/jobrun/internal/job"
)

// runOnce is the shape of `jobrun run --once` over this package, with a
// plain `sh -c` standing in for the runner core and executors and a
// whole-buffer replacer standing in for the streaming masker: wait for a
// job, accept it, check out, fetch dependencies, run, upload artifacts,
// report.
func runOnce(ctx context.Context, c *client.Client, runnerToken, buildsDir string) error {
	var p *job.Payload
	for p == nil { // 204: poll again; GitLab's long poll paces the loop
		var err error
		if p, _, err = c.RequestJob(ctx, runnerToken, "s_0123456789ab"); err != nil {
			return err
		}
	}
	if err := c.AcceptJob(ctx, p); err != nil {
		return err // someone else has it, or it is being canceled: report nothing
	}
	var secrets []string
	for _, s := range client.Secrets(p) {
		secrets = append(secrets, s, "[MASKED]")
	}
	mask := strings.NewReplacer(secrets...)
	jobCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	trace := c.NewTrace(ctx, p, client.TraceOptions{UpdateInterval: 5 * time.Millisecond, OnCancel: cancel, OnAbort: cancel})
	result := runJob(jobCtx, c, p, filepath.Join(buildsDir, p.JobInfo.ProjectFullPath), mask, trace)
	return trace.Finish(ctx, result)
}

func runJob(ctx context.Context, c *client.Client, p *job.Payload, dir string, mask *strings.Replacer, trace *client.Trace) client.Result {
	var out bytes.Buffer // one job's output, masked once before the trace
	defer func() { _, _ = trace.Write([]byte(mask.Replace(out.String()))) }()
	o, err := gitsource.FromPayload(p, dir, &out)
	if err == nil {
		err = gitsource.Get(ctx, o)
	}
	if err != nil {
		return client.Result{State: client.StateFailed, FailureReason: client.ReasonRunnerSystemFailure}
	}
	for _, dep := range p.Dependencies {
		var zip bytes.Buffer
		if _, err := c.DownloadArtifacts(ctx, dep, &zip); err != nil {
			fmt.Fprintln(&out, err)
			return client.Result{State: client.StateFailed, FailureReason: client.ReasonMissingDependency}
		}
		if err := archive.Extract(bytes.NewReader(zip.Bytes()), int64(zip.Len()), dir, 1<<30); err != nil {
			return client.Result{State: client.StateFailed, FailureReason: client.ReasonRunnerSystemFailure}
		}
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", strings.Join(p.Steps[0].Script, "\n"))
	cmd.Dir, cmd.Stdout, cmd.Stderr = dir, &out, &out
	for _, v := range p.Variables { // secrets reach the script through its environment only
		cmd.Env = append(cmd.Env, v.Key+"="+v.Value)
	}
	cmd.Env = append(cmd.Env, "PATH="+os.Getenv("PATH"))
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return client.Result{State: client.StateFailed, ExitCode: ee.ExitCode(), FailureReason: client.ReasonScriptFailure}
		}
		return client.Result{State: client.StateFailed, FailureReason: client.ReasonRunnerSystemFailure}
	}
	for _, a := range p.Artifacts {
		entries, _, err := archive.Select(ctx, archive.Spec{Root: dir, Paths: a.Paths, Exclude: a.Exclude})
		if err != nil {
			return client.Result{State: client.StateFailed, FailureReason: client.ReasonRunnerSystemFailure}
		}
		f, err := os.CreateTemp("", "jobrun-artifacts-*.zip") // 0600, the job's private file
		if err != nil {
			return client.Result{State: client.StateFailed, FailureReason: client.ReasonRunnerSystemFailure}
		}
		zipPath := f.Name()
		defer os.Remove(zipPath)
		_, err = archive.WriteZip(f, dir, entries)
		f.Close()
		if err == nil {
			_, err = c.UploadArtifact(ctx, p, client.ArtifactUpload{Path: zipPath, Type: a.ArtifactType, Format: a.ArtifactFormat, ExpireIn: a.ExpireIn})
		}
		fmt.Fprintf(&out, "Uploading artifacts to coordinator... %v\n", errOr(err, "201 Created"))
	}
	return client.Result{State: client.StateSuccess}
}

func errOr(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

// The whole runner protocol end to end against the fake: real HTTP, real
// git over http-backend with the job token, a real shell, a dependency's
// artifacts in and the job's artifacts out. GitLab ends up with a trace
// byte-identical to the golden masked log, a matching checksum, and the
// job token travelled only where it should.
func TestRunOnceEndToEnd(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{LongPoll: 200 * time.Millisecond})
	bare, sha := bareRepo(t)
	fake.AddRepo("acme/app", bare)
	fake.AddFinishedJob(gitlabfake.FinishedJob{ID: 900, Token: "glcbt-dependency-900-token", Zip: zipOf(t, map[string]string{"gen/version.txt": "1.2.3\n"})})
	fj := fake.Enqueue(job.Payload{
		AllowGitFetch: true,
		JobInfo:       job.JobInfo{Name: "build", ProjectFullPath: "acme/app"},
		GitInfo:       job.GitInfo{Ref: "main", Sha: sha, RefType: "branch", Depth: 20, Refspecs: []string{"+refs/heads/main:refs/remotes/origin/main"}},
		Variables:     job.Variables{{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true}, {Key: "GIT_STRATEGY", Value: "clone"}},
		Steps: []job.Step{{Name: "script", When: "on_success", Script: []string{
			`echo "token: $CI_JOB_TOKEN"`, `echo "key: $API_KEY"`, `echo "clone url: ${CI_REPOSITORY_URL%%@*}@HOST"`,
			`cat README gen/version.txt`, `mkdir -p bin && echo built > bin/app`,
		}}},
		Dependencies: []job.Dependency{{ID: 900, Name: "prepare", Token: "glcbt-dependency-900-token", ArtifactsFile: &job.ArtifactsFile{Filename: "artifacts.zip"}}},
		Artifacts:    []job.Artifact{{Paths: []string{"bin/"}, When: "on_success", ExpireIn: "1 day", ArtifactType: "archive", ArtifactFormat: "zip"}},
		Features:     job.Features{FailureReasons: failureReasons},
	})
	c := newClient(t, fake)
	if err := runOnce(t.Context(), c, fake.RunnerToken(), t.TempDir()); err != nil {
		t.Fatal(err)
	}
	// The golden file holds the commit as {{SHORT_SHA}}; -update rewrites it.
	golden(t, "run-once-trace", bytes.ReplaceAll(fj.Trace(), []byte(sha[:8]), []byte("{{SHORT_SHA}}")))
	want := strings.ReplaceAll(string(readGolden(t, "run-once-trace")), "{{SHORT_SHA}}", sha[:8])
	assertStoredTrace(t, fj, []byte(want), fj.Payload.Token)
	for _, secret := range []string{"s3cr3t-Value_123", "glcbt-dependency-900-token"} {
		if bytes.Contains(fj.Trace(), []byte(secret)) {
			t.Errorf("trace holds %q", secret)
		}
	}
	if final, _ := fj.Final(); final.State != "success" {
		t.Errorf("final state %q", final.State)
	}
	if a := fj.Artifacts(); len(a) != 1 || a[0].Type != "archive" {
		t.Errorf("artifacts %+v", a)
	}
	assertTokenOnlyInAllowedPlaces(t, fake)
	assertNoViolations(t, fake)
	if u, _ := url.Parse(fj.Payload.GitInfo.RepoURL); u.User == nil {
		t.Error("payload repo_url should carry the token, as GitLab's does")
	}
}

// bareRepo makes a bare repository with one commit holding README.
func bareRepo(t *testing.T) (dir, sha string) {
	t.Helper()
	base := t.TempDir()
	run := func(dir string, args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	work := filepath.Join(base, "work")
	must(t, os.Mkdir(work, 0o755))
	run(work, "init", "-q")
	must(t, os.WriteFile(filepath.Join(work, "README"), []byte("hello from the repository\n"), 0o644))
	run(work, "add", "README")
	run(work, "commit", "-q", "-m", "init")
	dir = filepath.Join(base, "app.git")
	run(base, "clone", "-q", "--bare", work, dir)
	return dir, run(work, "rev-parse", "HEAD")
}
