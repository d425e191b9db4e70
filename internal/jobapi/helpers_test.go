package jobapi

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/testutil"
)

// requireTool finds a program the test drives as a real client. Without
// it the test skips on a laptop, but fails under CI=true, where a skip
// would hide that nothing was tested.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	testutil.Missing(t, "%s is not installed (scripts/setup.sh installs it): %v", name, err)
	return ""
}

// newToken mints a token shaped like exec's: glcbt- and random characters.
func newToken(t testing.TB) string {
	t.Helper()
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "glcbt-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// syncBuffer is a request log the server writes to while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// notes collects the Denied callback's notes.
type notes struct {
	mu    sync.Mutex
	lines []string
	jobs  []int64
}

func (n *notes) add(job JobInfo, note string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.lines = append(n.lines, note)
	n.jobs = append(n.jobs, job.JobID)
}

func (n *notes) all() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.lines...)
}

// testServer is a started server with its request log and notes.
type testServer struct {
	*Server
	dataDir string
	log     *syncBuffer
	notes   *notes
}

// fixedClock makes request logs comparable with golden files.
func fixedClock() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// startServer starts a server on 127.0.0.1 with the given configuration
// filled in with a data directory, a request log and a notes collector.
func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	ts := &testServer{dataDir: filepath.Join(t.TempDir(), ".jobrun"), log: &syncBuffer{}, notes: &notes{}}
	cfg.DataDir, cfg.RequestLog, cfg.Denied = ts.dataDir, ts.log, ts.notes.add
	if cfg.Now == nil {
		cfg.Now = fixedClock
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	ts.Server = srv
	return ts
}

// register mints and registers a token for a job of project.
func (ts *testServer) register(t *testing.T, projectID, jobID int64, name string) string {
	t.Helper()
	token := newToken(t)
	job := JobInfo{ProjectID: projectID, JobID: jobID, JobName: name, Stage: "test", PipelineID: 100 + jobID,
		Ref: "main", SHA: "0123456789abcdef0123456789abcdef01234567", StartedAt: fixedClock()}
	if err := ts.Register(token, job); err != nil {
		t.Fatal(err)
	}
	return token
}

// curlResult is what curl reported about one request.
type curlResult struct {
	status int
	body   []byte
}

// curl runs the real curl against the server. config is curl's config
// file syntax on stdin (header = "JOB-TOKEN: ..."), which keeps the token
// out of curl's argv, as a careful job script would.
func curl(t *testing.T, config string, args ...string) curlResult {
	t.Helper()
	bin := requireTool(t, "curl")
	out := filepath.Join(t.TempDir(), "body")
	argv := append([]string{"--silent", "--show-error", "--config", "-", "--output", out, "--write-out", "%{http_code}"}, args...)
	cmd := exec.Command(bin, argv...)
	cmd.Stdin = strings.NewReader(config)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	code, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v: %s", args, err, stderr.String())
	}
	status, err := strconv.Atoi(string(code))
	if err != nil {
		t.Fatalf("curl %v: status %q", args, code)
	}
	body, _ := os.ReadFile(out)
	return curlResult{status: status, body: body}
}

// urlConfig passes a URL that carries a token through curl's config.
func urlConfig(url string) string { return `url = "` + url + "\"\n" }

func jobTokenHeader(token string) string { return `header = "JOB-TOKEN: ` + token + "\"\n" }

// assertNoSecret fails when any token shows up in the text or in any
// file below dir.
func assertNoSecret(t *testing.T, text, dir string, tokens ...string) {
	t.Helper()
	for _, tok := range tokens {
		if strings.Contains(text, tok) {
			t.Errorf("token %s… appears in the request log", tok[:8])
		}
	}
	if dir == "" {
		return
	}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, tok := range tokens {
			if bytes.Contains(data, []byte(tok)) {
				t.Errorf("token %s… written to %s", tok[:8], path)
			}
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}
