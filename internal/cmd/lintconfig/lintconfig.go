// Package lintconfig implements `jobrun lint-config`: audit GitLab Runner
// config.toml files for settings that let one job steal another job's
// token. The rules and formats live in internal/lint.
package lintconfig

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/lint"
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Options are the inputs of `jobrun lint-config`.
type Options struct {
	Factory   *cmdutil.Factory
	Paths     []string
	Format    string
	FailOn    string
	NoIgnores bool
	// Ignores are RULE:RUNNER entries (--ignore, or lint-config.ignore in
	// jobrun.yaml), for configs that `gitlab-runner register` rewrites.
	Ignores []string
	// IsRoot picks the default path as gitlab-runner does.
	IsRoot bool
}

// NewCmdLintConfig returns the lint-config command. runF replaces run in tests.
func NewCmdLintConfig(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f, IsRoot: os.Geteuid() == 0}
	formats := make([]string, len(lint.Formats))
	for i, fm := range lint.Formats {
		formats[i] = string(fm)
	}
	cmd := &cobra.Command{
		Use:   "lint-config [PATH ...]",
		Short: "Audit GitLab Runner config.toml files for token-stealing risks",
		Long: `Audit GitLab Runner config.toml files for settings that let one job steal
another job's token: privileged Docker, shell executors on shared hosts,
mounted container-runtime sockets, literal tokens, plain-HTTP URLs, and the
rest of rules JR001-JR066.

Without PATH, the file gitlab-runner itself reads is checked:
/etc/gitlab-runner/config.toml as root, ~/.gitlab-runner/config.toml otherwise.

Silence a finding with a comment on the key's line, the line above, or the
table's header:   privileged = true  # jobrun: ignore[JR030] ephemeral VM
or, for configs that gitlab-runner register rewrites, --ignore RULE:RUNNER
(also lint-config.ignore in jobrun.yaml).

Exit status: 0 no finding at or above --fail-on, 1 findings, 2 unreadable
or malformed input.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "text", "output format: "+strings.Join(formats, "|"))
	fl.StringVar(&opts.FailOn, "fail-on", "low", "exit 1 when a finding is at or above this severity: info|low|medium|high")
	fl.BoolVar(&opts.NoIgnores, "no-ignores", false, "report findings silenced by comments or --ignore")
	fl.StringSliceVar(&opts.Ignores, "ignore", nil, "silence RULE (code or slug) for the runner named RUNNER: RULE:RUNNER (repeatable)")
	return cmd
}

func run(opts *Options) error {
	format := lint.Format(opts.Format)
	if !slices.Contains(lint.Formats, format) {
		return cmdutil.BadInput("--format %q: expected text, json, sarif or codequality", opts.Format)
	}
	failOn, err := lint.ParseSeverity(opts.FailOn)
	if err != nil {
		return cmdutil.BadInput("--fail-on: %v", err)
	}
	lo := lint.Options{NoIgnores: opts.NoIgnores}
	for _, s := range opts.Ignores {
		ig, err := lint.ParseIgnore(s)
		if err != nil {
			return cmdutil.AsBadInput(err)
		}
		lo.Ignores = append(lo.Ignores, ig)
	}
	paths := opts.Paths
	if len(paths) == 0 {
		home, _ := opts.Factory.LookupEnv("HOME")
		paths = []string{runnerconfig.DefaultPath(opts.IsRoot, home)}
	}
	report, err := lint.Lint(paths, lo)
	if err != nil {
		return cmdutil.AsBadInput(err)
	}
	report.ToolVersion = opts.Factory.Version
	ios := opts.Factory.IOStreams
	// The palette colours text only, and only on a terminal.
	if err := report.Write(ios.Out, format, ios.Palette()); err != nil {
		return fmt.Errorf("writing the report: %w", err)
	}
	for _, fr := range report.Files {
		if fr.Note != "" && format != lint.FormatText {
			fmt.Fprintf(ios.ErrOut, "jobrun: %s: %s\n", fr.Path, fr.Note)
		}
	}
	if report.Fails(failOn) {
		return cmdutil.Silent(cmdutil.ExitFailure)
	}
	return nil
}
