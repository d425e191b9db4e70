package runnerconfig

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const sample = `concurrent = 2
[session_server]
  listen_address = "[::]:8093" # web terminal

[[runners]]
  name = "first"
  Executor = "docker"
  [runners.docker]
    Privileged = true
    volumes = [
      "/cache",
      "/var/run/docker.sock:/var/run/docker.sock",
    ]
    [[runners.docker.services]]
      name = "docker:dind"
  [runners.cache.s3]
    AccessKey = "$KEY"

[[runners]]
  name = "second"
  executor = "shell"
  feature_flags = { FF_ENABLE_JOB_CLEANUP = true }
`

func TestDecodeCaseInsensitive(t *testing.T) {
	t.Parallel()
	f, err := Parse("config.toml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	c := f.Config
	if c.Concurrent != 2 || len(c.Runners) != 2 {
		t.Fatalf("concurrent %d, %d runners", c.Concurrent, len(c.Runners))
	}
	r := c.Runners[0]
	// Executor and Privileged are written in another case: the runner
	// (BurntSushi) matches them case-insensitively, so must we.
	if r.Executor != "docker" || r.Docker == nil || !r.Docker.Privileged {
		t.Errorf("runner 0: executor %q, docker %+v", r.Executor, r.Docker)
	}
	if diff := cmp.Diff([]string{"/cache", "/var/run/docker.sock:/var/run/docker.sock"}, r.Docker.Volumes); diff != "" {
		t.Errorf("volumes (-want +got):\n%s", diff)
	}
	if len(r.Docker.Services) != 1 || r.Docker.Services[0].Name != "docker:dind" {
		t.Errorf("services %+v", r.Docker.Services)
	}
	if !c.Runners[1].FeatureFlags["FF_ENABLE_JOB_CLEANUP"] {
		t.Errorf("inline-table feature flags not decoded: %v", c.Runners[1].FeatureFlags)
	}
	if len(f.Unknown) != 0 {
		t.Errorf("unexpected unknown keys: %+v", f.Unknown)
	}
}

func TestLookupPositions(t *testing.T) {
	t.Parallel()
	f, err := Parse("config.toml", []byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		runner int
		path   string
		want   Pos
		elems  []Pos
	}{
		{-1, "concurrent", Pos{1, 1}, nil},
		{-1, "session_server.listen_address", Pos{3, 3}, nil},
		{-1, "runners.0", Pos{5, 3}, nil},
		{0, "executor", Pos{7, 3}, nil},
		{0, "docker", Pos{8, 4}, nil},
		{0, "DOCKER.privileged", Pos{9, 5}, nil},
		{0, "docker.volumes", Pos{10, 5}, []Pos{{11, 7}, {12, 7}}},
		{0, "docker.services.0.name", Pos{15, 7}, nil},
		{0, "cache.s3.accesskey", Pos{17, 5}, nil},
		{1, "executor", Pos{21, 3}, nil},
		{1, "feature_flags.FF_ENABLE_JOB_CLEANUP", Pos{22, 21}, nil},
	}
	for _, tc := range tests {
		k, ok := f.Lookup(tc.runner, tc.path)
		if !ok {
			t.Errorf("Lookup(%d, %q): not found", tc.runner, tc.path)
			continue
		}
		if k.Pos != tc.want || !cmp.Equal(k.Elems, tc.elems) {
			t.Errorf("Lookup(%d, %q) = %v %v, want %v %v", tc.runner, tc.path, k.Pos, k.Elems, tc.want, tc.elems)
		}
	}
	if _, ok := f.Lookup(0, "docker.pid_mode"); ok {
		t.Error("found a key that is not in the file")
	}
	if got := f.Comment(3); got != "# web terminal" {
		t.Errorf("comment on line 3 = %q", got)
	}
}

func TestUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		toml string
		want []string // Schema paths
	}{
		{"typo", "[[runners]]\n[runners.docker]\nprivilaged = true\n", []string{"runners[].docker.privilaged"}},
		{"removed hook", "[[runners]]\npre_clone_script = \"x\"\n", []string{"runners[].pre_clone_script"}},
		{"only the top-most of an unknown table", "[[runners]]\n[runners.dockr]\nprivileged = true\nimage = \"a\"\n", []string{"runners[].dockr"}},
		{"free-form contents are known", "[[runners]]\n[runners.autoscaler.plugin_config]\nname = \"x\"\n[runners.docker.tmpfs]\n\"/x\" = \"rw\"\n[runners.feature_flags]\nFF_X = true\n", nil},
		{"case-insensitive", "CONCURRENT = 1\n[[runners]]\n[runners.cache]\nshared = true\n", nil},
		{"unknown top level", "concurent = 1\n", []string{"concurent"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, err := Parse("c.toml", []byte(tc.toml))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, k := range f.Unknown {
				got = append(got, k.Schema)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("unknown keys (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, toml, want string
	}{
		{"missing value", "[[runners]]\n  name = \n", "c.toml:2:10: invalid TOML"},
		{"unclosed table", "[runners\n", "c.toml:1:"},
		{"wrong type", "[[runners]]\n  [runners.docker]\n  privileged = \"yes\"\n", `c.toml:3:3: key "runners.docker.privileged": incompatible types`},
		{"pull_policy of numbers", "[[runners]]\n[runners.docker]\npull_policy = [1]\n", "c.toml:3:"},
		{"duplicate key", "concurrent = 1\nconcurrent = 2\n", "c.toml:2:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("c.toml", []byte(tc.toml))
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), tc.want) || strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("error %q, want one line starting with %q", err, tc.want)
			}
		})
	}
}

func TestReadFileErrors(t *testing.T) {
	t.Parallel()
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.toml"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestIsRunnerConfig(t *testing.T) {
	t.Parallel()
	for toml, want := range map[string]bool{
		"[package]\nname = \"x\"\n": false,
		"":                          false,
		"concurrent = 3\n":          true,
		"[[runners]]\n":             true,
	} {
		f, err := Parse("c.toml", []byte(toml))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.IsRunnerConfig(); got != want {
			t.Errorf("IsRunnerConfig(%q) = %v", toml, got)
		}
	}
}

func TestDefaultPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		root bool
		home string
		want string
	}{
		{true, "/root", "/etc/gitlab-runner/config.toml"},
		{false, "/home/ci", "/home/ci/.gitlab-runner/config.toml"},
		{false, "", "/etc/gitlab-runner/config.toml"},
	}
	for _, tc := range tests {
		if got := DefaultPath(tc.root, tc.home); got != tc.want {
			t.Errorf("DefaultPath(%v, %q) = %q, want %q", tc.root, tc.home, got, tc.want)
		}
	}
}

func TestSchemaTable(t *testing.T) {
	t.Parallel()
	if n := SchemaKeys(); n != 738 {
		t.Errorf("%d keys in the runner's key table, want 738", n)
	}
}

func TestPathologicalInput(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"long dotted key":   strings.Repeat("a.", 5000) + "b = 1\n",
		"long dotted table": "[" + strings.Repeat("a.", 5000) + "b]\n",
		"deep inline table": "a = " + strings.Repeat("{b=", 3000) + "1" + strings.Repeat("}", 3000) + "\n",
	}
	for name, in := range tests {
		_, err := Parse("deep.toml", []byte(in))
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), "nested deeper than") || e.Pos.Line != 1 {
			t.Errorf("%s: error %v, want a depth error with a place", name, err)
		}
	}
	if _, err := Parse("ok.toml", []byte(strings.Repeat("a.", 60)+"b = 1\n")); err != nil {
		t.Errorf("60 levels must decode: %v", err)
	}
}

// TestDeadKeysOfAnyType: the runner ignores removed keys whatever their
// type, so decoding must not fail on them.
func TestDeadKeysOfAnyType(t *testing.T) {
	t.Parallel()
	f, err := Parse("c.toml", []byte("[[runners]]\npre_clone_script = [\"a\"]\npost_clone_script = \"echo\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := f.Config.Runners[0]; r.PreCloneScript != "" || r.PostCloneScript != "echo" {
		t.Errorf("pre %q post %q", r.PreCloneScript, r.PostCloneScript)
	}
}

// TestBOMAndCRLF: a Windows-edited config decodes, with the same places.
func TestBOMAndCRLF(t *testing.T) {
	t.Parallel()
	data := "\xef\xbb\xbfconcurrent = 1\r\n[[runners]]\r\n  executor = \"shell\" # note\r\n"
	f, err := Parse("win.toml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	k, ok := f.Lookup(0, "executor")
	if !ok || k.Pos != (Pos{3, 3}) || f.Config.Runners[0].Executor != "shell" {
		t.Errorf("executor at %v (found %v), decoded %+v", k.Pos, ok, f.Config.Runners)
	}
	if got := strings.TrimSpace(f.Comment(3)); got != "# note" {
		t.Errorf("comment %q", got)
	}
	if f.Line(1) != "concurrent = 1" {
		t.Errorf("line 1 = %q", f.Line(1))
	}
}
