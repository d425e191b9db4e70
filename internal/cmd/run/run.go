// Package run is the `jobrun run` command: act as a GitLab runner — take
// jobs from a GitLab instance, run them with the shell or Docker executor
// and report their masked traces and results (internal/runnermode).
package run

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/jobrun/jobrun/internal/client"
	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
	"github.com/jobrun/jobrun/internal/runnermode"
)

// TokenInArgsWarning is printed when --token was given on the command
// line, where every user of the host can read it (ps, /proc).
const TokenInArgsWarning = "WARNING: --token on the command line is visible to other users of this host; set JOBRUN_RUN_TOKEN or use --config instead"

// Options are run's flags.
type Options struct {
	IO        *iostreams.IOStreams
	Verbose   bool
	Version   string
	LookupEnv func(string) (string, bool)
	// Signals delivers SIGINT, SIGTERM and SIGQUIT; nil subscribes to the
	// process's.
	Signals <-chan os.Signal

	URL, Token string
	// TokenInArgs says --token came from argv (not env or jobrun.yaml).
	TokenInArgs bool
	ConfigPath  string
	Executor    string
	Once        bool
	Strict      bool
	BuildsDir   string
	// StateDir keeps the runner's system id; empty means next to
	// --config, else jobrun's user config directory.
	StateDir string
}

// NewCmdRun returns `jobrun run`; runF replaces run in tests.
func NewCmdRun(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, LookupEnv: f.LookupEnv, Version: f.Version}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Act as a runner for a GitLab instance",
		Long: `Take jobs from a GitLab instance as a GitLab runner does, run them with the
shell or Docker executor, stream their masked traces and report results.

  --url URL --token glrt-…    one runner (the token also from JOBRUN_RUN_TOKEN)
  -c, --config config.toml    the [[runners]] of a gitlab-runner config.toml

SIGTERM or SIGQUIT: take no new jobs, let the running ones finish.
SIGINT: cancel the running jobs (after_script runs) and report them failed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Verbose = f.Verbose
			opts.TokenInArgs = cmd.Flags().Changed("token")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.URL, "url", "", "GitLab instance URL")
	fl.StringVar(&opts.Token, "token", "", "runner authentication token (glrt-…); prefer JOBRUN_RUN_TOKEN")
	fl.StringVarP(&opts.ConfigPath, "config", "c", "", "a gitlab-runner config.toml")
	fl.StringVar(&opts.Executor, "executor", "", "shell|docker (default: each runner's executor; shell with --url)")
	fl.BoolVar(&opts.Once, "once", false, "take one job, run it, exit with its result")
	fl.BoolVar(&opts.Strict, "strict", false, "refuse to start on a high lint-config finding")
	fl.StringVar(&opts.BuildsDir, "builds-dir", "", "where the jobs' working copies go (default: each runner's builds_dir, or ./builds)")
	return cmd
}

func run(ctx context.Context, opts *Options) error {
	if opts.Executor != "" && opts.Executor != "shell" && opts.Executor != "docker" {
		return cmdutil.BadInput("--executor %q: expected shell or docker", opts.Executor)
	}
	cfg, err := runnermode.LoadConfig(runnermode.Settings{
		ConfigPath: opts.ConfigPath, URL: opts.URL, Token: opts.Token, Executor: opts.Executor, BuildsDir: opts.BuildsDir,
	})
	if err != nil {
		return cmdutil.AsBadInput(err)
	}
	if opts.TokenInArgs {
		fmt.Fprintln(opts.IO.ErrOut, TokenInArgsWarning)
	}
	if err := printWarnings(opts, cfg); err != nil {
		return err
	}
	systemID, err := client.LoadSystemID(systemIDPath(opts))
	if err != nil {
		return err
	}
	specs, closeAll, err := cfg.Specs(ctx, opts.IO.ErrOut)
	defer closeAll()
	if err != nil {
		return err
	}
	jobsCtx, interrupt := context.WithCancel(context.WithoutCancel(ctx))
	defer interrupt()
	graceful, stopSignals := handleSignals(opts, interrupt)
	defer stopSignals()
	serveOpts := runnermode.Options{
		Runners: specs, Concurrent: cfg.Concurrent, Once: opts.Once, Graceful: graceful,
		Version: opts.Version, SystemID: systemID, Log: opts.IO.ErrOut,
	}
	if opts.Verbose {
		serveOpts.Terminal = opts.IO.Out
	}
	sum, err := runnermode.Serve(jobsCtx, serveOpts)
	switch {
	case err != nil:
		return err
	case jobsCtx.Err() != nil:
		return cmdutil.Silent(cmdutil.ExitInterrupted)
	case opts.Once && !sum.Success():
		return cmdutil.Silent(cmdutil.ExitFailure)
	}
	return nil
}

// printWarnings prints, per runner, its token as a hint and the lint
// findings about token theft; with --strict a high one stops here.
func printWarnings(opts *Options, cfg *runnermode.Config) error {
	high := 0
	for i, r := range cfg.Runners {
		fmt.Fprintf(opts.IO.ErrOut, "runner %s: %s executor, token %s\n", r.Name, r.Executor, runnermode.TokenHint(r.Token))
		findings := runnermode.Warnings(&cfg.Config, i)
		for _, f := range findings {
			fmt.Fprintf(opts.IO.ErrOut, "WARNING: runner %s: %s\n", r.Name, f)
		}
		if runnermode.HasHigh(findings) {
			high++
		}
	}
	if opts.Strict && high > 0 {
		return &cmdutil.ExitError{Code: cmdutil.ExitFailure, Err: fmt.Errorf("--strict: %d runner(s) with a high finding; not starting", high)}
	}
	return nil
}

// systemIDPath is where the runner's system id is kept: next to the
// config.toml, or in jobrun's user config directory.
func systemIDPath(opts *Options) string {
	if opts.StateDir != "" {
		return filepath.Join(opts.StateDir, "config.toml")
	}
	if opts.ConfigPath != "" {
		return opts.ConfigPath
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "jobrun")
	_ = os.MkdirAll(dir, 0o700)
	return filepath.Join(dir, "config.toml")
}

// handleSignals maps SIGTERM and SIGQUIT to a graceful stop (the returned
// channel closes) and SIGINT to interrupt.
func handleSignals(opts *Options, interrupt func()) (graceful <-chan struct{}, stop func()) {
	signals := opts.Signals
	unsubscribe := func() {}
	if signals == nil {
		ch := make(chan os.Signal, 4)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM, syscall.SIGQUIT)
		signals, unsubscribe = ch, func() { signal.Stop(ch) }
	}
	done := make(chan struct{})
	g := make(chan struct{})
	var once sync.Once
	go func() {
		for {
			select {
			case <-done:
				return
			case sig := <-signals:
				if sig == os.Interrupt {
					interrupt()
				} else {
					once.Do(func() { close(g) })
				}
			}
		}
	}()
	return g, func() { close(done); unsubscribe() }
}
