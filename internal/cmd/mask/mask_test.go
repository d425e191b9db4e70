package mask

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
)

func TestNewCmdMaskFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want Options
	}{
		{"defaults", nil, Options{MinLength: 8}},
		{"all flags", []string{"--secret-env", "A", "--secret-env", "B", "--secrets-file", "s.env", "--secret", "v1", "--prefix", "ghp_", "--min-length", "5"},
			Options{SecretEnvs: []string{"A", "B"}, SecretsFile: "s.env", Secrets: []string{"v1"}, SecretsOnCommandLine: true, Prefixes: []string{"ghp_"}, MinLength: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, _, _, _ := iostreams.Test()
			var got *Options
			cmd := NewCmdMask(&cmdutil.Factory{IOStreams: ios}, func(o *Options) error { got = o; return nil })
			cmd.SetArgs(tt.args)
			if err := cmd.Execute(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, *got, cmp.FilterPath(func(p cmp.Path) bool {
				switch p.Last().String() {
				case ".IO", ".LookupEnv", ".Ctx":
					return true
				}
				return false
			}, cmp.Ignore())); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func fakeEnv(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// TestRunGolden masks testdata/input.log end to end with each way of
// giving secrets; testdata/TestRunGolden_<case>.golden holds stdout and
// stderr.
func TestRunGolden(t *testing.T) {
	t.Parallel()
	input, err := os.ReadFile(filepath.Join("testdata", "input.log"))
	if err != nil {
		t.Fatal(err)
	}
	env := fakeEnv(map[string]string{"DB_PASSWORD": "correct-horse-battery", "API_KEY": "ak_live_7Hq2Zr9Lm4Xw"})
	both := []string{"correct-horse-battery", "ak_live_7Hq2Zr9Lm4Xw"}
	tests := []struct {
		name   string
		opts   Options
		masked []string
	}{
		{"secret-env", Options{SecretEnvs: []string{"DB_PASSWORD", "API_KEY"}}, both},
		{"secrets-file", Options{SecretsFile: filepath.Join("testdata", "secrets.env")}, both},
		{"secret-flag-warns", Options{Secrets: []string{"correct-horse-battery"}, SecretsOnCommandLine: true}, both[:1]},
		{"secret-from-config-no-warning", Options{Secrets: []string{"correct-horse-battery"}}, both[:1]},
		{"extra-prefix", Options{SecretEnvs: []string{"DB_PASSWORD"}, Prefixes: []string{"ak_live_"}}, both},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, in, out, errOut := iostreams.Test()
			in.Write(input)
			tt.opts.IO, tt.opts.LookupEnv, tt.opts.MinLength = ios, env, 8
			if err := run(&tt.opts); err != nil {
				t.Fatal(err)
			}
			assertGolden(t, "TestRunGolden_"+tt.name, []byte(out.String()+"--- stderr\n"+errOut.String()))
			for _, s := range tt.masked {
				if strings.Contains(out.String()+errOut.String(), s) {
					t.Errorf("secret %q in output", s)
				}
			}
		})
	}
}

// TestExample pins what the README's demo prints:
//
//	go run ./cmd/jobrun mask --secrets-file examples/mask/secrets.env < examples/mask/build.log
func TestExample(t *testing.T) {
	t.Parallel()
	dir := filepath.Join("..", "..", "..", "examples", "mask")
	log, err := os.ReadFile(filepath.Join(dir, "build.log"))
	if err != nil {
		t.Fatal(err)
	}
	ios, in, out, errOut := iostreams.Test()
	in.Write(log)
	opts := &Options{IO: ios, LookupEnv: fakeEnv(nil), SecretsFile: filepath.Join(dir, "secrets.env"), MinLength: 8}
	if err := run(opts); err != nil {
		t.Fatal(err)
	}
	if errOut.Len() > 0 {
		t.Errorf("stderr: %q", errOut)
	}
	assertGolden(t, "TestExample", out.Bytes())
	for _, s := range []string{"s3cr3t-Pa55w0rd", "dpl_9fKq2LmX7vRt4ZyW", "glpat-Zq8x", "glcbt-64_", "czNjcjN0LVBhNTV3MHJkIQo="} {
		if bytes.Contains(out.Bytes(), []byte(s)) {
			t.Errorf("%q survives in the demo output", s)
		}
	}
	if !bytes.Contains(out.Bytes(), []byte("deploying build 4f2a9c1e to production ... ok\n")) {
		t.Error("ordinary lines are not kept")
	}
}

func TestRunBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	short := filepath.Join(dir, "short.env")
	if err := os.WriteFile(short, []byte("# comment\nGOOD=long-enough-secret\n\nPIN=4711x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		opts    Options
		wantErr string
		hidden  string // must not appear in the message
	}{
		{"no secrets", Options{}, "no secrets to mask", ""},
		{"unknown env", Options{SecretEnvs: []string{"NOPE"}}, "--secret-env NOPE: no such environment variable", ""},
		{"short env", Options{SecretEnvs: []string{"SHORT"}}, "secret SHORT is 5 bytes long, shorter than the minimum of 8", "abcde"},
		{"unreadable file", Options{SecretsFile: filepath.Join(dir, "missing.env")}, "cannot read secrets file: open " + filepath.Join(dir, "missing.env"), ""},
		{"short file line", Options{SecretsFile: short}, "secret " + short + ":4 (PIN) is 5 bytes long", "4711x"},
		{"short --secret", Options{Secrets: []string{"abc"}}, "secret --secret #1 is 3 bytes long", "abc"},
		{"min-length below 4", Options{Secrets: []string{"abcdefgh"}, MinLength: 3}, "--min-length 3", ""},
		{"one-byte prefix", Options{Secrets: []string{"abcdefgh"}, Prefixes: []string{"x"}}, `--prefix "x"`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ios, in, out, _ := iostreams.Test()
			in.WriteString("input abcde 4711x\n")
			tt.opts.IO, tt.opts.LookupEnv = ios, fakeEnv(map[string]string{"SHORT": "abcde"})
			if tt.opts.MinLength == 0 {
				tt.opts.MinLength = 8
			}
			err := run(&tt.opts)
			if cmdutil.ExitCode(err) != cmdutil.ExitBadInput || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Fatalf("run = %v (exit %d), want exit 2 and %q", err, cmdutil.ExitCode(err), tt.wantErr)
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("message %q shows the secret", err)
			}
			if out.Len() > 0 {
				t.Errorf("output written despite bad input: %q", out)
			}
		})
	}
}

// The first line comes out while the producer is still writing: mask
// never waits for a full buffer or for EOF.
func TestRunStreams(t *testing.T) {
	t.Parallel()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := newLineWriter()
	ios, _, _, _ := iostreams.Test()
	ios.In, ios.Out = r, out
	opts := &Options{IO: ios, LookupEnv: fakeEnv(nil), Secrets: []string{"streaming-secret"}, MinLength: 8, Ctx: context.Background()}
	done := make(chan error, 1)
	go func() { done <- run(opts) }()

	if _, err := w.Write([]byte("first line streaming-secret\nsecond li")); err != nil {
		t.Fatal(err)
	}
	select {
	case line := <-out.lines:
		if line != "first line [MASKED]\n" {
			t.Fatalf("first line %q", line)
		}
	case err := <-done:
		t.Fatalf("run returned before EOF: %v", err)
	case <-time.After(30 * time.Second): // a guard against hanging, not a timing assertion
		t.Fatal("the first line did not come out before EOF")
	}
	w.Write([]byte("ne\n"))
	w.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := <-out.lines; got != "second line\n" {
		t.Fatalf("second line %q", got)
	}
}

// lineWriter sends each complete line written to it on a channel.
type lineWriter struct {
	lines   chan string
	partial []byte
}

func newLineWriter() *lineWriter { return &lineWriter{lines: make(chan string, 16)} }

func (l *lineWriter) Write(p []byte) (int, error) {
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		l.lines <- string(l.partial[:i+1])
		l.partial = l.partial[i+1:]
	}
}
