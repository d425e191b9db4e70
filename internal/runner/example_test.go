package runner_test

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/masker"
	"github.com/jobrun/jobrun/internal/runner"
)

// How `jobrun exec` runs a compiled pipeline: a runner core with the
// shell executor, a terminal sink, and the scheduler; every job gets its
// own token.
func ExampleRunLocal() {
	r := &runner.Runner{
		Executor: &executor.Shell{},
		NewMasker: func(dst io.Writer, prefixes []string) runner.Masker {
			return masker.New(dst, masker.Options{Prefixes: prefixes})
		},
		BaseEnv: []string{"PATH=" + os.Getenv("PATH")},
		Version: "example",
	}
	hello := runner.LocalJob{
		Payload: &job.Payload{
			JobInfo: job.JobInfo{Name: "hello", Stage: "test", ProjectFullPath: "acme/app"},
			Steps:   []job.Step{{Name: job.StepScript, Script: []string{`echo "token: $CI_JOB_TOKEN"`}}},
		},
		Node: runner.Node{Name: "hello", Stage: "test"},
	}
	sum, err := runner.RunLocal(context.Background(), []runner.LocalJob{hello}, runner.LocalOptions{
		Runner:   r,
		Terminal: runner.NewTerminal(os.Stdout, runner.TerminalOptions{}),
		Dir:      ".",
	})
	fmt.Println(err, sum.Failed(), sum.Interrupted)
	// Output:
	// hello > Running with jobrun example
	// hello > Preparing the "shell" executor
	// hello > Using shell executor with bash...
	// hello > Getting source from the working copy
	// hello > Using the files in .
	// hello > Executing "step_script" stage of the job script
	// hello > $ echo "token: $CI_JOB_TOKEN"
	// hello > token: [MASKED]
	// hello > Cleaning up project directory and file based variables
	// hello > Job succeeded
	// <nil> false false
}
