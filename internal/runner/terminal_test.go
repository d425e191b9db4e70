package runner

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRenderTraceLine(t *testing.T) {
	t.Parallel()
	start := "\x1b[0Ksection_start:1700000000:step_script\r\x1b[0K"
	end := "\x1b[0Ksection_end:1700000000:step_script\r\x1b[0K"
	tests := []struct {
		name  string
		line  string
		color bool
		want  []string
	}{
		{"plain", "hello", false, []string{"hello"}},
		{"empty line stays", "", false, []string{""}},
		{"colour removed", "\x1b[32;1m$ echo hi\x1b[0;m", false, []string{"$ echo hi"}},
		{"colour kept", "\x1b[32;1m$ echo hi\x1b[0;m", true, []string{"\x1b[32;1m$ echo hi\x1b[0;m"}},
		{"section start with header", start + "\x1b[0K\x1b[36;1mExecuting\x1b[0;m", false, []string{"Executing"}},
		{"end then start then header", end + start + "\x1b[0K\x1b[36;1mRunning after_script\x1b[0;m", false, []string{"Running after_script"}},
		{"text before a marker is its own line", "no newline" + end + start + "Header", false, []string{"no newline", "Header"}},
		{"markers only", end, false, nil},
		{"collapsed option", "\x1b[0Ksection_start:1:build[collapsed=true]\r\x1b[0KBuilding", false, []string{"Building"}},
		{"carriage return keeps the last state", "10%\r50%\r100%", false, []string{"100%"}},
		{"OSC title removed", "\x1b]0;title\x07text", false, []string{"text"}},
		{"lone escape removed", "a\x1bb", false, []string{"ab"}},
		{"the word section is not a marker", "section_start is a word", false, []string{"section_start is a word"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, RenderTraceLine(tt.line, tt.color)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// Without colour, no escape byte survives rendering, and rendering never
// invents or reorders text: each rendered line is a subsequence of the
// input's bytes.
func FuzzRenderTraceLine(f *testing.F) {
	f.Add("\x1b[0Ksection_start:1700000000:step_script\r\x1b[0K\x1b[36;1mExecuting\x1b[0;m")
	f.Add("plain text")
	f.Add("a\rb\r\x1b[31mred\x1b[0m\x1b]8;;http://x\x1b\\link")
	f.Fuzz(func(t *testing.T, line string) {
		for _, l := range RenderTraceLine(line, false) {
			if strings.ContainsRune(l, '\x1b') || strings.ContainsRune(l, '\r') {
				t.Fatalf("escape or CR left in %q (from %q)", l, line)
			}
			if !isSubsequence(l, line) {
				t.Fatalf("rendered %q is not a subsequence of the input %q", l, line)
			}
		}
	})
}

func isSubsequence(sub, s string) bool {
	i := 0
	for j := 0; j < len(s) && i < len(sub); j++ {
		if s[j] == sub[i] {
			i++
		}
	}
	return i == len(sub)
}

func TestTerminalPrefixesColoursAndTimestamps(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC) }
	tests := []struct {
		name string
		opts TerminalOptions
		want string
	}{
		{"plain", TerminalOptions{NameWidth: 5},
			"build > one\nbuild > two\ntest  > \x1b-free\nbuild > partial\n"},
		{"timestamps", TerminalOptions{NameWidth: 5, Timestamps: true, Now: clock},
			"[15:04:05] build > one\n[15:04:05] build > two\n[15:04:05] test  > \x1b-free\n[15:04:05] build > partial\n"},
		{"colour", TerminalOptions{NameWidth: 5, Color: true},
			"\x1b[36mbuild\x1b[0m > one\x1b[0m\n\x1b[36mbuild\x1b[0m > \x1b[32mtwo\x1b[0m\x1b[0m\n" +
				"\x1b[35mtest \x1b[0m > \x1b-free\x1b[0m\n\x1b[36mbuild\x1b[0m > partial\x1b[0m\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			term := NewTerminal(&out, tt.opts)
			build, test := term.Job("build"), term.Job("test")
			// Writes cut mid-line: lines come out whole.
			fmt.Fprint(build, "o")
			fmt.Fprint(test, "\x1b-free")
			fmt.Fprint(build, "ne\n\x1b[32mtwo\x1b[0m\npart")
			test.Close()
			fmt.Fprint(build, "ial")
			build.Close()
			want := tt.want
			if !tt.opts.Color {
				want = strings.ReplaceAll(want, "\x1b", "")
			}
			if diff := cmp.Diff(want, out.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestLogFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	path := LogPath(root, "7", "build: [linux, amd64]")
	if want := filepath.Join(root, ".jobrun", "logs", "7", "build_ [linux, amd64].log"); path != want {
		t.Errorf("path %q, want %q", path, want)
	}
	write := func(content string, keep bool) {
		l, err := CreateLogFile(root, "7", "build: [linux, amd64]")
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprint(l, content)
		if _, err := os.Stat(path); err == nil {
			if b, _ := os.ReadFile(path); string(b) == content {
				t.Errorf("the final file shows the new content before Close")
			}
		}
		if keep {
			err = l.Close()
		} else {
			err = l.Abort()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	write("first run\n", true)
	write("half of a second ru", false) // interrupted: the first log stays
	b, err := os.ReadFile(path)
	if err != nil || string(b) != "first run\n" {
		t.Errorf("log = %q, %v; want the first run intact", b, err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("log mode %v, want 0600", fi.Mode().Perm())
	}
	assertNoTempLogs(t, root)
}

func TestSafeName(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"build": "build", "a/b": "a_b", "..": "_..", "": "_", ".hidden": "_.hidden", "x\ny": "x_y",
	} {
		if got := safeName(in); got != want {
			t.Errorf("safeName(%q) = %q, want %q", in, got, want)
		}
	}
}
