// Package version implements `jobrun version`.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/jobrun/jobrun/internal/cmdutil"
)

// Version is set at build time by goreleaser (-X); "dev" otherwise.
var Version = "dev"

// Options are the inputs of `jobrun version`.
type Options struct {
	Factory *cmdutil.Factory
}

// NewCmdVersion returns the version command. runF replaces run in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	return &cobra.Command{
		Use:   "version",
		Short: "Print jobrun's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
}

func run(opts *Options) error {
	v := opts.Factory.Version
	if v == "" {
		v = Version
	}
	if v == "dev" {
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
	}
	_, err := fmt.Fprintf(opts.Factory.IOStreams.Out, "jobrun %s %s/%s %s\n", v, runtime.GOOS, runtime.GOARCH, runtime.Version())
	return err
}
