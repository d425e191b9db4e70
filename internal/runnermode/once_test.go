package runnermode

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/crc32"
	"io"
	"maps"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// One job end to end with the shell executor: real HTTP on loopback,
// real git over http-backend with the job token, a real shell, a
// dependency's artifacts in, an archive and a dotenv report out. GitLab
// ends up with exactly the masked golden trace and a matching checksum,
// and the token travelled only where it should.
func TestOnceShellEndToEnd(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{LongPoll: 200 * time.Millisecond})
	bare, shas := bareRepo(t, 1)
	sha := shas[0]
	fake.AddRepo("acme/app", bare)
	const depToken = "glcbt-dependency-900-token-abcdef"
	fake.AddFinishedJob(gitlabfake.FinishedJob{ID: 900, Token: depToken, Zip: zipOf(t, map[string]string{"gen/version.txt": "1.2.3\n"})})
	p := basePayload(sha,
		`echo "token: $CI_JOB_TOKEN"`, `echo "key: $API_KEY"`, `echo "clone url: $CI_REPOSITORY_URL"`,
		`printf '%s' "$API_KEY" | base64`,
		`cat README gen/version.txt`, `mkdir -p bin && echo built > bin/app`, `echo "VERSION=1.2.3" > build.env`)
	p.Variables = job.Variables{{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true}, {Key: "GIT_STRATEGY", Value: "clone"}}
	p.Steps = append(p.Steps, job.Step{Name: job.StepAfterScript, When: job.WhenAlways, Script: []string{`echo "after: $CI_JOB_STATUS"`}})
	p.Dependencies = []job.Dependency{{ID: 900, Name: "prepare", Token: depToken, ArtifactsFile: &job.ArtifactsFile{Filename: "artifacts.zip"}}}
	p.Artifacts = []job.Artifact{
		{Paths: []string{"bin/"}, When: "on_success", ExpireIn: "1 day", ArtifactType: "archive", ArtifactFormat: "zip"},
		{Paths: []string{"build.env"}, When: "on_success", ArtifactType: "dotenv", ArtifactFormat: "gzip"},
	}
	fj := fake.Enqueue(p)
	spec := shellSpec(t, fake)
	sum := serve(t, testOptions(t, spec))
	if !sum.Success() {
		t.Fatalf("summary %+v, trace:\n%s", sum, fj.Trace())
	}
	trace := fj.Trace()
	golden(t, t.Name(), readable(trace, stable(spec, fake, sha)...))
	assertNoSecrets(t, trace, fj.Payload.Token, "s3cr3t-Value_123", depToken, "czNjcjN0LVZhbHVlXzEyMw")
	final, ok := fj.Final()
	if !ok || final.State != "success" {
		t.Fatalf("final update %+v", final)
	}
	wantSum := fmt.Sprintf("crc32:%08x", crc32.ChecksumIEEE(trace))
	if final.Output == nil || final.Output.Checksum != wantSum || final.Output.Bytesize != int64(len(trace)) {
		t.Errorf("final output %+v, want %s and %d bytes", final.Output, wantSum, len(trace))
	}
	checkArtifacts(t, fj.Artifacts())
	assertClean(t, fake)
	// Only what jobrun implements is advertised.
	features := fj.Features()
	for _, want := range []string{"variables", "masking", "artifacts", "cache", "refspecs", "multi_build_steps",
		"return_exit_code", "cancelable", "cancel_gracefully", "two_phase_job_commit", "trace_checksum", "trace_size", "trace_reset"} {
		if !features[want] {
			t.Errorf("feature %s not advertised", want)
		}
	}
	for _, never := range []string{"session", "terminal", "proxy", "vault_secrets", "shared", "image", "services", "raw_variables"} {
		if features[never] {
			t.Errorf("feature %s advertised by a shell runner", never)
		}
	}
}

// A job jobrun cannot run (step-runner `run:`) fails as
// runner_unsupported with its reason in the trace; nothing runs.
func TestUnsupportedJobRefused(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	p := basePayload("", "touch ran")
	p.Run = `[{"name":"hello","script":"echo hi"}]`
	p.Features.FailureReasons = append(p.Features.FailureReasons, "runner_unsupported")
	fj := fake.Enqueue(p)
	spec := shellSpec(t, fake)
	sum := serve(t, testOptions(t, spec))
	final, _ := fj.Final()
	if sum.Success() || final.State != "failed" || final.FailureReason != "runner_unsupported" {
		t.Errorf("final %+v, summary %+v", final, sum)
	}
	if !bytes.Contains(fj.Trace(), []byte("jobrun does not run")) {
		t.Errorf("trace does not say why:\n%s", fj.Trace())
	}
	assertClean(t, fake)
}

func checkArtifacts(t *testing.T, arts []gitlabfake.Artifact) {
	t.Helper()
	if len(arts) != 2 {
		t.Fatalf("%d artifacts uploaded, want 2: %+v", len(arts), arts)
	}
	files := map[string]string{}
	for _, a := range arts {
		switch a.Type {
		case "archive":
			maps.Copy(files, unzip(t, a.Data))
		case "dotenv":
			if a.Format != "gzip" {
				t.Errorf("dotenv format %q", a.Format)
			}
			zr, err := gzip.NewReader(bytes.NewReader(a.Data))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(zr)
			files["dotenv"] = string(b)
		}
	}
	want := map[string]string{"bin/app": "built\n", "dotenv": "VERSION=1.2.3\n"}
	for k, v := range want {
		if files[k] != v {
			t.Errorf("artifact %s = %q, want %q", k, files[k], v)
		}
	}
}

// unzip returns the regular files of a zip archive by name.
func unzip(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = string(b)
	}
	return files
}
