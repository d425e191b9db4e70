package cmdutil

import (
	"github.com/jobrun/jobrun/internal/config"
	"github.com/jobrun/jobrun/internal/iostreams"
)

// Factory hands each command what it needs from the outside world. Main
// builds the real one; tests build one around iostreams.Test().
type Factory struct {
	IOStreams *iostreams.IOStreams
	// Config is loaded by the root command before any subcommand runs
	// (nil until then); commands read settings without a flag from it.
	Config *config.Config
	// Verbose is the global -v/--verbose flag.
	Verbose bool
	// Getenv reads the process environment (injected so tests do not
	// depend on, or change, the real one).
	LookupEnv func(string) (string, bool)
	// Version is the build's version string.
	Version string
}
