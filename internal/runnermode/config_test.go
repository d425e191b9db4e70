package runnermode

import (
	"errors"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/testutil"
)

// The 16 real runner configs: each loads when all its runners are shell
// or docker with a URL and token, or is refused as bad input at a
// file:line:column; the warnings printed before serving never hold a
// token.
func TestLoadConfigCorpus(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob(filepath.Join(testutil.Corpus(t, "runner-config"), "*.toml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no corpus files: %v", err)
	}
	positioned := regexp.MustCompile(`\.toml(:\d+:\d+)?: runners\[\d+\]: |cannot read|invalid TOML|no \[\[runners\]\]`)
	loaded := 0
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			cfg, err := LoadConfig(Settings{ConfigPath: path})
			if err != nil {
				if !errors.Is(err, ErrBadConfig) || !positioned.MatchString(err.Error()) {
					t.Errorf("error %v: want a bad-config error naming the place", err)
				}
				return
			}
			loaded++
			for i, r := range cfg.Runners {
				if r.Executor != "shell" && r.Executor != "docker" {
					t.Errorf("runner %d: executor %q accepted", i, r.Executor)
				}
				for _, f := range Warnings(&cfg.Config, i) {
					if r.Token != "" && strings.Contains(f.String(), r.Token) {
						t.Errorf("a warning holds runner %d's token: %s", i, f)
					}
				}
			}
		})
	}
	if loaded == 0 {
		t.Error("no corpus config loaded: the shell and docker ones should")
	}
}

func TestLoadConfigSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		s       Settings
		wantErr string
		wantExe string
	}{
		{"url and token make one shell runner", Settings{URL: "https://g.example.com", Token: "glrt-x"}, "", "shell"},
		{"executor flag wins", Settings{URL: "https://g.example.com", Token: "glrt-x", Executor: "docker"}, "", "docker"},
		{"token without url", Settings{Token: "glrt-x"}, "give --url and --token", ""},
		{"both sources", Settings{ConfigPath: "c.toml", URL: "https://g"}, "not both", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := LoadConfig(tc.s)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(cfg.Runners) != 1 || cfg.Runners[0].Executor != tc.wantExe {
				t.Errorf("cfg %+v, err %v", cfg, err)
			}
		})
	}
}
