package lint

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// TestFacts pins the context facts of lint-rules.md §2.
func TestFacts(t *testing.T) {
	t.Parallel()
	machine := func(n int) runnerconfig.Runner {
		return runnerconfig.Runner{Executor: "docker+machine", Machine: &runnerconfig.Machine{MaxBuilds: n}}
	}
	autoscaler := func(ex string, capacity, uses int) runnerconfig.Runner {
		return runnerconfig.Runner{Executor: ex, Autoscaler: &runnerconfig.Autoscaler{CapacityPerInstance: capacity, MaxUseCount: uses}}
	}
	tests := []struct {
		name string
		cfg  runnerconfig.Config
		want Facts
	}{
		{"docker+machine MaxBuilds 1 is ephemeral", runnerconfig.Config{Runners: []runnerconfig.Runner{machine(1)}},
			Facts{Ephemeral: true, Concurrency: 1}},
		{"docker+machine MaxBuilds 10 is not", runnerconfig.Config{Runners: []runnerconfig.Runner{machine(10)}},
			Facts{Concurrency: 1}},
		{"autoscaler 1/1 is ephemeral", runnerconfig.Config{Runners: []runnerconfig.Runner{autoscaler("docker-autoscaler", 1, 1)}},
			Facts{Ephemeral: true, Concurrency: 1}},
		{"instance with capacity 2 is a shared host when concurrent", runnerconfig.Config{Concurrent: 4, Runners: []runnerconfig.Runner{autoscaler("instance", 2, 1)}},
			Facts{SharedHost: true, Concurrency: 4}},
		{"shell is a shared host", runnerconfig.Config{Runners: []runnerconfig.Runner{{Executor: "shell"}}},
			Facts{SharedHost: true, ShellLikeInFile: true, Concurrency: 1}},
		{"lone docker with concurrent 1 is not shared", runnerconfig.Config{Concurrent: 1, Runners: []runnerconfig.Runner{{Executor: "docker"}}},
			Facts{Concurrency: 1}},
		{"docker with concurrent 3 is shared; limit caps it", runnerconfig.Config{Concurrent: 3, Runners: []runnerconfig.Runner{{Executor: "docker", Limit: 2,
			Docker: &runnerconfig.Docker{Volumes: []string{"/var/run/docker.sock:/var/run/docker.sock"}}}}},
			Facts{SharedHost: true, Concurrency: 2, DockerAPIExposed: true}},
		{"docker next to a shell runner", runnerconfig.Config{Runners: []runnerconfig.Runner{{Executor: "docker"}, {Executor: "shell"}}},
			Facts{SharedHost: true, ShellLikeInFile: true, Concurrency: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, computeFacts(&tc.cfg, 0)); diff != "" {
				t.Errorf("facts (-want +got):\n%s", diff)
			}
		})
	}
}
