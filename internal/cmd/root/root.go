// Package root builds jobrun's root command, wires the global flags and
// configuration, and maps errors to the exit codes of the command-line
// contract.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/jobrun/jobrun/internal/cmd/exec"
	"github.com/jobrun/jobrun/internal/cmd/lintconfig"
	"github.com/jobrun/jobrun/internal/cmd/mask"
	"github.com/jobrun/jobrun/internal/cmd/run"
	"github.com/jobrun/jobrun/internal/cmd/version"
	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/config"
	"github.com/jobrun/jobrun/internal/iostreams"
)

// NewCmdRoot returns the root command with every subcommand attached.
func NewCmdRoot(f *cmdutil.Factory) *cobra.Command {
	var configPath string
	var noColor bool
	cmd := &cobra.Command{
		Use:   "jobrun <command>",
		Short: "Run GitLab CI jobs with a per-job token and a log that never leaks it",
		Long: `jobrun runs GitLab CI/CD jobs locally or as a runner for a GitLab instance.
Each job gets its own CI_JOB_TOKEN, and every byte of its log passes a
filter that replaces secrets with [MASKED]. jobrun also audits GitLab Runner
config.toml files for settings that let one job steal another job's token.`,
		SilenceErrors: true, // Main prints the one error message
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := config.Load(config.Sources{
				ExplicitFile: configPath,
				ProjectDir:   projectDir(cmd),
				LookupEnv:    f.LookupEnv,
			})
			if err != nil {
				return cmdutil.AsBadInput(err)
			}
			if err := cfg.Apply(cmd); err != nil {
				return cmdutil.AsBadInput(err)
			}
			f.Config = cfg
			if _, set := f.LookupEnv("NO_COLOR"); set || noColor {
				f.IOStreams.SetNoColor(true)
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		return cmdutil.AsBadInput(err)
	})
	pf := cmd.PersistentFlags()
	pf.StringVar(&configPath, "config", "", "path of jobrun.yaml (default: ./jobrun.yaml, then the user config dir)")
	pf.BoolVar(&noColor, "no-color", false, "disable colour (also NO_COLOR)")
	pf.BoolVarP(&f.Verbose, "verbose", "v", false, "print more about what jobrun does")

	cmd.SetIn(f.IOStreams.In)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)

	cmd.AddCommand(version.NewCmdVersion(f, nil))
	cmd.AddCommand(lintconfig.NewCmdLintConfig(f, nil))
	cmd.AddCommand(exec.NewCmdExec(f, nil))
	cmd.AddCommand(run.NewCmdRun(f, nil))
	cmd.AddCommand(mask.NewCmdMask(f, nil))
	return cmd
}

// projectDir is the -C/--directory flag of commands that have one, so that
// the project's jobrun.yaml is found there.
func projectDir(cmd *cobra.Command) string {
	if fl := cmd.Flags().Lookup("directory"); fl != nil {
		return fl.Value.String()
	}
	return ""
}

// Main runs jobrun with the process's arguments and streams and returns
// the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	f := &cmdutil.Factory{
		IOStreams: iostreams.System(),
		LookupEnv: os.LookupEnv,
		Version:   version.Version,
	}
	return Run(ctx, f, os.Args[1:])
}

// Run executes the root command with args and returns the exit code. The
// error, if any, is printed once to ErrOut as "jobrun: <message>".
func Run(ctx context.Context, f *cmdutil.Factory, args []string) int {
	cmd := NewCmdRoot(f)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return cmdutil.ExitOK
	}
	code := cmdutil.ExitCode(err)
	var ee *cmdutil.ExitError
	if !errors.As(err, &ee) {
		// cobra's own errors (unknown command, bad flag) are usage errors.
		if isUsageError(err) {
			code = cmdutil.ExitBadInput
		}
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(f.IOStreams.ErrOut, "jobrun: %s\n", msg)
	}
	if ctx.Err() != nil && code == cmdutil.ExitFailure {
		code = cmdutil.ExitInterrupted
	}
	return code
}

func isUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires ", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
