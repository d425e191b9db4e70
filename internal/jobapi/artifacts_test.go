package jobapi

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// artifactDirs is an ArtifactStore over fixed directories, keyed by
// "project/ref/job".
func artifactDirs(dirs map[string]string) ArtifactStore {
	return ArtifactStoreFunc(func(p Project, ref, job string) (string, error) {
		if dir, ok := dirs[p.FullPath+"/"+ref+"/"+job]; ok {
			return dir, nil
		}
		return "", ErrNoArtifacts
	})
}

func TestArtifactsDownload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{"bin/app": "ELF…", "report.txt": "all good\n", "deep/a/b/c.json": "{}"}
	for name, content := range files {
		seedPackage(t, dir, name, content)
	}
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("outside"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, Config{Projects: appProjects(), Artifacts: artifactDirs(map[string]string{"group/app/main/build": dir})})
	token := ts.register(t, 1, 21, "test")
	api := ts.URL() + "/api/v4/projects/group%2Fapp/jobs/artifacts/main/"

	res := curl(t, jobTokenHeader(token), api+"download?job=build")
	if res.status != 200 {
		t.Fatalf("download: %d %s", res.status, res.body)
	}
	zr, err := zip.NewReader(bytes.NewReader(res.body), int64(len(res.body)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		got[f.Name] = string(b)
	}
	if diff := cmp.Diff(files, got); diff != "" {
		t.Errorf("zip contents (-want +got):\n%s", diff)
	}

	tests := []struct {
		name, url  string
		wantStatus int
		wantBody   string
	}{
		{"raw file", api + "raw/deep/a/b/c.json?job=build", 200, "{}"},
		{"raw, symlink out of the artifacts", api + "raw/escape?job=build", 404, ""},
		{"raw, traversal", api + "raw/%2e%2e/x?job=build", 400, ""},
		{"no such job", api + "download?job=lint", 404, ""},
		{"no job parameter", api + "download", 400, ""},
		{"other ref", ts.URL() + "/api/v4/projects/1/jobs/artifacts/dev/download?job=build", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := curl(t, jobTokenHeader(token), "--path-as-is", tt.url)
			if res.status != tt.wantStatus || tt.wantBody != "" && string(res.body) != tt.wantBody {
				t.Errorf("%d %q, want %d %q", res.status, res.body, tt.wantStatus, tt.wantBody)
			}
			if bytes.Contains(res.body, []byte("outside")) {
				t.Error("a file outside the artifact directory was served")
			}
		})
	}
}
