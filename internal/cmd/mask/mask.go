// Package mask implements `jobrun mask`: a stdin → stdout filter that
// replaces every secret with [MASKED] as the bytes stream through.
package mask

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
	"github.com/jobrun/jobrun/internal/masker"
)

// Options are the inputs of `jobrun mask`.
type Options struct {
	IO        *iostreams.IOStreams
	LookupEnv func(string) (string, bool)
	Ctx       context.Context

	SecretEnvs  []string // --secret-env NAME
	SecretsFile string   // --secrets-file PATH
	Secrets     []string // --secret VALUE (discouraged)
	// SecretsOnCommandLine: --secret was typed on the command line, not
	// set by JOBRUN_MASK_SECRET or jobrun.yaml, so its values are in argv.
	SecretsOnCommandLine bool
	Prefixes             []string // --prefix P
	MinLength            int      // --min-length N
}

// NewCmdMask returns the mask command. runF replaces run in tests.
func NewCmdMask(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, LookupEnv: f.LookupEnv}
	cmd := &cobra.Command{
		Use:   "mask",
		Short: "Copy stdin to stdout with every secret replaced by [MASKED]",
		Long: `Copy standard input to standard output, replacing every secret, its
base64, URL-encoded and JSON-escaped forms, GitLab tokens (glpat-…), URL
passwords and sensitive query parameters with [MASKED]. Output streams:
each line appears as soon as it is read.

The secrets file is a .env file (KEY=VALUE, optional export and blanks
around '=', "double quotes" with \n escapes, 'single quotes', # comments)
or one secret per line. A line it cannot read for sure is refused with
file:line:column.`,
		Example: `  tail -f build.log | jobrun mask --secret-env DB_PASSWORD
  jobrun mask --secrets-file secrets.env < build.log > build.masked.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.SecretsOnCommandLine = cmd.Flags().Changed("secret")
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.SecretEnvs, "secret-env", nil, "mask the value of environment variable `NAME` (repeatable)")
	fl.StringVar(&opts.SecretsFile, "secrets-file", "", "mask the secrets in `PATH`: .env KEY=VALUE lines (export, quotes, # comments) or one per line")
	fl.StringArrayVar(&opts.Secrets, "secret", nil, "mask `VALUE` (discouraged: other users can read it in the process list)")
	fl.StringArrayVar(&opts.Prefixes, "prefix", nil, "also mask tokens after prefix `P`, e.g. ghp_ (repeatable)")
	fl.IntVar(&opts.MinLength, "min-length", masker.DefaultMinLength, fmt.Sprintf("refuse secrets shorter than `N` bytes (never below %d)", masker.AbsoluteMinLength))
	return cmd
}
