package jobapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestGenericPackageRoundTrip(t *testing.T) {
	t.Parallel()
	ts := startServer(t, Config{Projects: appProjects()})
	token := ts.register(t, 1, 7, "publish")
	content := bytes.Repeat([]byte("binary\x00data\n"), 5000)
	upload := filepath.Join(t.TempDir(), "tool.bin")
	if err := os.WriteFile(upload, content, 0o644); err != nil {
		t.Fatal(err)
	}
	base := ts.URL() + "/api/v4/projects/group%2Fapp/packages/generic/tool/1.0.0/tool.bin"

	put := curl(t, jobTokenHeader(token), "--upload-file", upload, base+"?select=package_file")
	if put.status != 201 {
		t.Fatalf("PUT status %d: %s", put.status, put.body)
	}
	var file packageFileResponse
	if err := json.Unmarshal(put.body, &file); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	if file.Size != int64(len(content)) || file.FileSHA256 != hex.EncodeToString(sum[:]) || file.FileName != "tool.bin" {
		t.Errorf("package file = %+v, want size %d sha256 %x", file, len(content), sum)
	}

	// The same file by numeric id, with basic auth as `curl --user` sends it.
	get := curl(t, `user = "ci:`+token+"\"\n", ts.URL()+"/api/v4/projects/1/packages/generic/tool/1.0.0/tool.bin")
	if get.status != 200 || !bytes.Equal(get.body, content) {
		t.Fatalf("GET status %d, %d bytes; want 200 and the uploaded %d bytes", get.status, len(get.body), len(content))
	}

	plain := curl(t, jobTokenHeader(token), "--upload-file", upload, base)
	if plain.status != 201 || string(plain.body) != "{\"message\":\"201 Created\"}\n" {
		t.Errorf("PUT without select: %d %s", plain.status, plain.body)
	}
	stored := filepath.Join(ts.dataDir, "packages", "1", "tool", "1.0.0", "tool.bin")
	if got, err := os.ReadFile(stored); err != nil || !bytes.Equal(got, content) {
		t.Errorf("stored file %s: %v", stored, err)
	}
	assertNoTempFiles(t, ts.dataDir)
	assertNoSecret(t, ts.log.String(), ts.dataDir, token)
}

func TestGenericPackageRejects(t *testing.T) {
	t.Parallel()
	ts := startServer(t, Config{Projects: appProjects()})
	token := ts.register(t, 1, 7, "publish")
	upload := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(upload, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := ts.URL() + "/api/v4/projects/1/packages/generic/"
	tests := []struct {
		name, config, path string
		wantStatus         int
	}{
		{"traversal in name", jobTokenHeader(token), "%2e%2e/1/f", 400},
		{"escaped slash in file", jobTokenHeader(token), "tool/1/..%2F..%2Fx", 400},
		{"bad version", jobTokenHeader(token), "tool/1..2/f", 400},
		{"space in name", jobTokenHeader(token), "my%20tool/1/f", 400},
		{"missing package", jobTokenHeader(token), "tool/9.9.9/f", 404},
		{"unknown token", jobTokenHeader(newToken(t)), "tool/1/f", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"--path-as-is", api + tt.path}
			if tt.wantStatus != 404 {
				args = append([]string{"--upload-file", upload}, args...)
			}
			if res := curl(t, tt.config, args...); res.status != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", res.status, tt.wantStatus, res.body)
			}
		})
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(filepath.Join(ts.dataDir, "packages"))
		if len(entries) != 0 {
			t.Errorf("rejected uploads left %d entries under packages/", len(entries))
		}
	})
}

// assertNoTempFiles checks that atomic writes left no temporary files.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "*", "*", "*", "*", ".*.tmp-*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left: %v", matches)
	}
}
