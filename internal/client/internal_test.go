package client

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

func TestServerWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
		ok     bool
	}{
		{"Retry-After seconds", http.Header{"Retry-After": {"60"}}, time.Minute, true},
		{"Retry-After date", http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}, 90 * time.Second, true},
		{"RateLimit-ResetTime", http.Header{"Ratelimit-Resettime": {now.Add(5 * time.Second).Format(http.TimeFormat)}}, 5 * time.Second, true},
		{"date in the past", http.Header{"Retry-After": {now.Add(-time.Hour).Format(http.TimeFormat)}}, 0, true},
		{"garbage", http.Header{"Retry-After": {"soon"}}, 0, false},
		{"none", http.Header{}, 0, false},
	}
	for _, tt := range tests {
		got, ok := serverWait(tt.header, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// Backoff grows from Min, never exceeds Max, and keeps at least half of
// the step (jitter is at most 50 %).
func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	d := &retryDoer{policy: DefaultRetry}
	for attempt := 1; attempt <= 40; attempt++ {
		step := min(DefaultRetry.Min<<min(attempt-1, 30), DefaultRetry.Max)
		for range 50 {
			got := d.backoff(attempt)
			if got < step/2 || got > step {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, got, step/2, step)
			}
		}
	}
}

func TestLoadSystemID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		existing string
		keep     bool
	}{
		{"created when missing", "", false},
		{"kept when valid", "r_AbCdEf012345\n", true},
		{"replaced when malformed", "not-an-id\n", false},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		idFile := filepath.Join(dir, SystemIDFile)
		if tt.existing != "" {
			if err := os.WriteFile(idFile, []byte(tt.existing), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		id, err := LoadSystemID(filepath.Join(dir, "config.toml"))
		if err != nil || !ValidSystemID(id) {
			t.Fatalf("%s: %q, %v", tt.name, id, err)
		}
		if tt.keep && id != strings.TrimSpace(tt.existing) {
			t.Errorf("%s: id %q, want the existing one", tt.name, id)
		}
		again, _ := LoadSystemID(filepath.Join(dir, "config.toml"))
		stored, _ := os.ReadFile(idFile)
		if again != id || strings.TrimSpace(string(stored)) != id {
			t.Errorf("%s: not stable: %q, then %q, file %q", tt.name, id, again, stored)
		}
	}
}

func TestNewSystemID(t *testing.T) {
	t.Parallel()
	a, b := newSystemID("machine-1"), newSystemID("machine-1")
	if a != b || !strings.HasPrefix(a, "s_") || !ValidSystemID(a) {
		t.Errorf("derived ids %q %q", a, b)
	}
	if a == newSystemID("machine-2") {
		t.Error("two machines got the same id")
	}
	if r := newSystemID(""); !strings.HasPrefix(r, "r_") || !ValidSystemID(r) {
		t.Errorf("random id %q", r)
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	p := &job.Payload{
		Token: "glcbt-job",
		Variables: job.Variables{
			{Key: "CI_JOB_TOKEN", Value: "glcbt-job", Masked: true},
			{Key: "CI_REPOSITORY_URL", Value: "https://gitlab-ci-token:glcbt-job@h/p.git"},
			{Key: "API_KEY", Value: "s3cr3t-Value_123", Masked: true},
			{Key: "PUBLIC", Value: "x", Public: true},
		},
		Dependencies: []job.Dependency{{Token: "glcbt-dep"}},
		Credentials:  []job.Credential{{Password: "glcbt-job"}, {Password: "registry-pw"}},
	}
	want := []string{"glcbt-job", "s3cr3t-Value_123", "glcbt-dep", "registry-pw"}
	if diff := cmp.Diff(want, Secrets(p)); diff != "" {
		t.Errorf("Secrets (-want +got):\n%s", diff)
	}
}

// The spill file is private (0600) and already unlinked: nothing of the
// trace is visible on disk, during or after the job. Every byte reads back.
func TestTraceBufferSpill(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	b := newTraceBuffer(64<<10, dir)
	var want []byte
	for i := 0; len(want) < 3<<20; i++ {
		line := []byte(strings.Repeat(string(rune('a'+i%26)), 1+i%5000) + "\n")
		want = append(want, line...)
		if _, err := b.Write(line); err != nil {
			t.Fatal(err)
		}
	}
	if b.file == nil {
		t.Fatal("3 MiB stayed in memory with a 64 KiB limit")
	}
	if info, err := b.file.Stat(); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("spill file mode: %v %v", info, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("spill file visible on disk: %v", entries)
	}
	for _, off := range []int64{0, 1, 64<<10 - 1, 64 << 10, 1 << 20, int64(len(want)) - 10} {
		got := make([]byte, 10)
		n, _ := b.ReadAt(got, off)
		if string(got[:n]) != string(want[off:off+int64(n)]) || n == 0 {
			t.Errorf("ReadAt(%d) = %q", off, got[:n])
		}
	}
	if b.size != int64(len(want)) {
		t.Errorf("size %d, want %d", b.size, len(want))
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}
