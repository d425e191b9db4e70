package client_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/archive"
	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDownloadArtifacts(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	archiveBytes := zipOf(t, map[string]string{"out/a.txt": "from prepare"})
	fake.AddFinishedJob(gitlabfake.FinishedJob{ID: 77, Token: "glcbt-dependency-token-77", Zip: archiveBytes})
	tests := []struct {
		name    string
		dep     job.Dependency
		wantErr error
	}{
		{"302 to object storage", job.Dependency{ID: 77, Name: "prepare", Token: "glcbt-dependency-token-77"}, nil},
		{"401 without a token", job.Dependency{ID: 77, Name: "prepare"}, client.ErrUnauthorized},
		{"403 with another token", job.Dependency{ID: 77, Name: "prepare", Token: "glcbt-wrong"}, client.ErrForbidden},
		{"404 without artifacts", job.Dependency{ID: 78, Name: "gone", Token: "glcbt-dependency-token-77"}, client.ErrNotFound},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		_, err := c.DownloadArtifacts(t.Context(), tt.dep, &buf)
		if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), tt.dep.Name) || (tt.dep.Token != "" && strings.Contains(err.Error(), tt.dep.Token)) {
				t.Errorf("%s: message %q should name the job and not its token", tt.name, err)
			}
			continue
		}
		if !bytes.Equal(buf.Bytes(), archiveBytes) {
			t.Errorf("%s: downloaded %d bytes, want the %d-byte archive", tt.name, buf.Len(), len(archiveBytes))
		}
	}
	// The token went to GitLab, never to the object storage origin.
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "/_objects/") && (r.Header.Get("Job-Token") != "" || len(r.TokenPlaces) > 0) {
			t.Errorf("job token sent to object storage: %+v", r.Header)
		}
	}
}

func TestUploadArtifactStatusCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		faults    []gitlabfake.Fault
		finished  bool
		wantErr   error
		wantTries int
	}{
		{name: "201", wantTries: 1},
		{name: "307 resent to Location", faults: []gitlabfake.Fault{{Status: 307}}, wantTries: 2},
		{name: "503 retried with the same body", faults: []gitlabfake.Fault{{Status: 503}, {Status: 503}}, wantTries: 3},
		{name: "503 until giving up", faults: []gitlabfake.Fault{{Status: 503}, {Status: 503}, {Status: 503}, {Status: 503}, {Status: 503}}, wantErr: client.ErrUnavailable, wantTries: 5},
		{name: "413 too large", faults: []gitlabfake.Fault{{Status: 413}}, wantErr: client.ErrTooLarge, wantTries: 1},
		{name: "403 job no longer running", finished: true, wantErr: client.ErrForbidden, wantTries: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			c := newClient(t, fake)
			p, fj := takeJob(t, fake, c)
			fj.InjectUploadFaults(tt.faults...)
			if tt.finished {
				fj.SetStatus("success")
			}
			content := bytes.Repeat([]byte("artifact bytes\n"), 10000)
			path := filepath.Join(t.TempDir(), "artifacts.zip")
			must(t, os.WriteFile(path, content, 0o600))
			_, err := c.UploadArtifact(t.Context(), p, client.ArtifactUpload{Path: path, Type: "archive", Format: "zip", ExpireIn: "1 week"})
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if got := countRequests(fake, "POST", "/api/v4/jobs/1001/artifacts"); got != tt.wantTries {
				t.Errorf("%d requests, want %d", got, tt.wantTries)
			}
			stored := fj.Artifacts()
			if tt.wantErr != nil {
				if len(stored) != 0 {
					t.Errorf("stored %d artifacts after a failure", len(stored))
				}
				return
			}
			if len(stored) != 1 || !bytes.Equal(stored[0].Data, content) || stored[0].Filename != "artifacts.zip" ||
				stored[0].Type != "archive" || stored[0].Format != "zip" || stored[0].ExpireIn != "1 week" {
				t.Errorf("stored %+v", stored)
			}
			assertTokenOnlyInAllowedPlaces(t, fake)
			assertNoViolations(t, fake)
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// End to end: a dependency's artifacts come from the coordinator and are
// extracted; the job's own archive and dotenv report are built from the
// project directory and uploaded; the coordinator holds them, by content.
func TestArtifactsEndToEnd(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	c := newClient(t, fake)
	fake.AddFinishedJob(gitlabfake.FinishedJob{ID: 500, Token: "glcbt-dep-500-token", Zip: zipOf(t, map[string]string{"gen/version.txt": "1.2.3\n"})})
	p, fj := takeJob(t, fake, c)
	project := t.TempDir()

	var dl bytes.Buffer
	if _, err := c.DownloadArtifacts(t.Context(), job.Dependency{ID: 500, Name: "prepare", Token: "glcbt-dep-500-token"}, &dl); err != nil {
		t.Fatal(err)
	}
	must(t, archive.Extract(bytes.NewReader(dl.Bytes()), int64(dl.Len()), project, 1<<30))
	// "The script": uses the dependency's output, writes its own.
	version, err := os.ReadFile(filepath.Join(project, "gen/version.txt"))
	must(t, err)
	must(t, os.MkdirAll(filepath.Join(project, "bin"), 0o755))
	must(t, os.WriteFile(filepath.Join(project, "bin/app"), []byte("binary "+string(version)), 0o755))
	must(t, os.WriteFile(filepath.Join(project, "bin/app.o"), []byte("object"), 0o644))
	must(t, os.WriteFile(filepath.Join(project, "build.env"), []byte("VERSION=1.2.3\n"), 0o644))

	uploads := []job.Artifact{
		{Name: "bin", Paths: []string{"bin/"}, Exclude: []string{"bin/*.o"}, When: "on_success", ExpireIn: "1 week", ArtifactType: "archive", ArtifactFormat: "zip"},
		{Paths: []string{"build.env"}, When: "on_success", ArtifactType: "dotenv", ArtifactFormat: "gzip"},
	}
	for _, a := range uploads {
		entries, _, err := archive.Select(t.Context(), archive.Spec{Root: project, Paths: a.Paths, Exclude: a.Exclude})
		must(t, err)
		out := filepath.Join(t.TempDir(), a.ArtifactType)
		f, err := os.Create(out)
		must(t, err)
		if a.ArtifactFormat == "zip" {
			_, err = archive.WriteZip(f, project, entries)
		} else {
			err = archive.WriteGzip(f, project, entries)
		}
		must(t, err)
		must(t, f.Close())
		_, err = c.UploadArtifact(t.Context(), p, client.ArtifactUpload{Path: out, Name: a.ArtifactType + "." + a.ArtifactFormat, Type: a.ArtifactType, Format: a.ArtifactFormat, ExpireIn: a.ExpireIn})
		must(t, err)
	}

	stored := fj.Artifacts()
	if len(stored) != 2 {
		t.Fatalf("%d artifacts stored, want 2", len(stored))
	}
	zr, err := zip.NewReader(bytes.NewReader(stored[0].Data), int64(len(stored[0].Data)))
	must(t, err)
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if f.Name == "bin/app" {
			rc, _ := f.Open()
			data, _ := io.ReadAll(rc)
			if string(data) != "binary 1.2.3\n" {
				t.Errorf("bin/app = %q", data)
			}
		}
	}
	if strings.Join(names, ",") != "bin/,bin/app" {
		t.Errorf("archive entries = %v, want bin/ and bin/app (bin/app.o excluded)", names)
	}
	zr2, err := gzip.NewReader(bytes.NewReader(stored[1].Data))
	must(t, err)
	env, _ := io.ReadAll(zr2)
	if string(env) != "VERSION=1.2.3\n" || stored[1].Type != "dotenv" || stored[1].Format != "gzip" {
		t.Errorf("dotenv report = %q (%s/%s)", env, stored[1].Type, stored[1].Format)
	}
	assertTokenOnlyInAllowedPlaces(t, fake)
	assertNoViolations(t, fake)
}
