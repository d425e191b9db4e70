package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/jobrun/jobrun/internal/cmd/root"
)

// TestMain lets script tests run "jobrun" as a real process: the test
// binary re-executes itself as jobrun (testscript's convention).
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"jobrun": func() { os.Exit(root.Main()) },
	})
}

// TestScripts runs testdata/script/<command>_<behaviour>.txtar. Set
// JOBRUN_UPDATE_SCRIPTS=1 (or -testwork to debug) as testscript documents.
func TestScripts(t *testing.T) {
	t.Parallel()
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("JOBRUN_UPDATE_SCRIPTS") == "1",
		Setup: func(env *testscript.Env) error {
			// A predictable environment: no user config dir, no colour.
			env.Setenv("XDG_CONFIG_HOME", env.WorkDir+"/.config")
			env.Setenv("HOME", env.WorkDir)
			return nil
		},
	})
}
