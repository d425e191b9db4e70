package runner

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// checkGolden compares got with testdata/<name>.golden, or rewrites the
// file with -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", strings.NewReplacer("/", "_", " ", "_").Replace(name)+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", path, diff)
	}
}

// newTestMasker is the masker the runner tests use.
func newTestMasker(dst io.Writer, prefixes []string) Masker { return newExactMasker(dst, prefixes) }

// exactMasker stands in for internal/masker until it is merged: it holds
// the whole stream and replaces each registered value, exactly, at Close.
// It knows no derived forms, so tests of those need the real masker.
type exactMasker struct {
	mu      sync.Mutex
	dst     io.Writer
	buf     bytes.Buffer
	secrets []string
}

func newExactMasker(dst io.Writer, _ []string) Masker { return &exactMasker{dst: dst} }

func (m *exactMasker) AddMasked(_, value string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.secrets = append(m.secrets, value)
	return ""
}

func (m *exactMasker) Write(p []byte) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.buf.Write(p)
}

func (m *exactMasker) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.buf.String()
	for _, s := range m.secrets {
		out = strings.ReplaceAll(out, s, "[MASKED]")
	}
	_, err := io.WriteString(m.dst, out)
	return err
}

// syncBuffer is a buffer several goroutines may write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
