package runnermode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/executor/docker"
	"github.com/jobrun/jobrun/internal/runner"
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Settings are what `jobrun run` was told: a config.toml, or one runner
// by URL and token; Executor, when set, overrides every runner's.
type Settings struct {
	ConfigPath string
	URL, Token string
	Executor   string
	// BuildsDir, when set, replaces every runner's builds_dir.
	BuildsDir string
}

// Config is the runners' configuration with where it came from.
type Config struct {
	runnerconfig.Config
	// File is the decoded config.toml (nil with --url/--token); it gives
	// errors their file:line:column.
	File *runnerconfig.File
}

// ErrBadConfig marks a configuration jobrun cannot run with (exit 2).
var ErrBadConfig = errors.New("bad runner configuration")

// LoadConfig reads the config.toml, or makes a one-runner config of
// --url/--token, and checks what jobrun needs of every runner.
func LoadConfig(s Settings) (*Config, error) {
	var cfg Config
	switch {
	case s.ConfigPath != "" && (s.URL != "" || s.Token != ""):
		return nil, fmt.Errorf("%w: give either --config or --url and --token, not both", ErrBadConfig)
	case s.ConfigPath != "":
		f, err := runnerconfig.ReadFile(s.ConfigPath)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadConfig, err)
		}
		cfg = Config{Config: f.Config, File: f}
	case s.URL == "" || s.Token == "":
		return nil, fmt.Errorf("%w: give --url and --token (or JOBRUN_RUN_TOKEN), or --config with a config.toml", ErrBadConfig)
	default:
		cfg.Config = runnerconfig.Config{Concurrent: 1, Runners: []runnerconfig.Runner{{Name: "jobrun", URL: s.URL, Token: s.Token, Executor: "shell"}}}
	}
	if len(cfg.Runners) == 0 {
		return nil, fmt.Errorf("%w: %s has no [[runners]]", ErrBadConfig, s.ConfigPath)
	}
	for i := range cfg.Runners {
		r := &cfg.Runners[i]
		if s.Executor != "" {
			r.Executor = s.Executor
		}
		if s.BuildsDir != "" {
			r.BuildsDir = s.BuildsDir
		}
		if err := cfg.check(i, r); err != nil {
			return nil, err
		}
	}
	return &cfg, nil
}

// check names the first thing runner i lacks, at its place in the file.
func (c *Config) check(i int, r *runnerconfig.Runner) error {
	var key, msg string
	switch {
	case r.URL == "":
		key, msg = "url", "no url: want the GitLab instance, e.g. https://gitlab.example.com"
	case r.Token == "":
		key, msg = "token", "no token: want the runner's glrt- authentication token"
	case r.Executor != "shell" && r.Executor != "docker":
		key, msg = "executor", fmt.Sprintf("executor %q: jobrun runs shell or docker", r.Executor)
	default:
		return nil
	}
	where := "--url/--token"
	if c.File != nil {
		where = c.File.Path
		if k, ok := c.File.Lookup(i, key); ok {
			where += ":" + strconv.Itoa(k.Pos.Line) + ":" + strconv.Itoa(k.Pos.Col)
		} else if k, ok := c.File.Lookup(-1, "runners."+strconv.Itoa(i)); ok {
			where += ":" + strconv.Itoa(k.Pos.Line) + ":" + strconv.Itoa(k.Pos.Col)
		}
	}
	return fmt.Errorf("%w: %s: runners[%d]: %s", ErrBadConfig, where, i, msg)
}

// Specs turns the configuration into runners to serve; close releases
// their executors (the Docker clients). Relative directories are taken
// from the current directory, as GitLab Runner does.
func (c *Config) Specs(ctx context.Context, warnings io.Writer) (specs []RunnerSpec, closeAll func(), err error) {
	var closers []func() error
	closeAll = func() {
		for _, f := range closers {
			_ = f()
		}
	}
	cwd, err := os.Getwd()
	if err != nil {
		return nil, closeAll, err
	}
	for _, r := range c.Runners {
		spec := RunnerSpec{
			Name: r.Name, URL: r.URL, Token: r.Token, Limit: r.Limit, Environment: r.Environment,
			BuildsDir: absOr(cwd, r.BuildsDir, "builds"),
			BaseEnv:   runner.HostEnv(), Features: ExecutorFeatures(r.Executor),
		}
		// The cache sits beside the builds, as GitLab Runner's cache/ next to builds/.
		spec.CacheDir = absOr(cwd, r.CacheDir, filepath.Join(filepath.Dir(spec.BuildsDir), "cache"))
		if r.OutputLimit > 0 {
			spec.OutputLimit = int64(r.OutputLimit) * 1024 // output_limit is in KiB
		}
		switch r.Executor {
		case "docker":
			d, err := docker.New(ctx, dockerOptions(r, warnings))
			if err != nil {
				closeAll()
				return nil, func() {}, fmt.Errorf("runner %s: %w", spec.label(), err)
			}
			closers = append(closers, d.Close)
			spec.Executor = d
			if r.Docker != nil {
				spec.DefaultImage = r.Docker.Image
			}
		default:
			spec.Executor = &executor.Shell{}
		}
		specs = append(specs, spec)
	}
	return specs, closeAll, nil
}

func dockerOptions(r runnerconfig.Runner, warnings io.Writer) docker.Options {
	o := docker.Options{Warnings: warnings}
	if d := r.Docker; d != nil {
		o.Host, o.Privileged, o.Volumes, o.Network = d.Host, d.Privileged, d.Volumes, d.NetworkMode
		if len(d.PullPolicy) > 0 {
			o.PullPolicy = d.PullPolicy[0]
		}
	}
	return o
}

func absOr(cwd, dir, fallback string) string {
	if dir == "" {
		dir = fallback
	}
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(cwd, dir)
}
