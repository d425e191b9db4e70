package exec

import (
	"fmt"
	"io"

	"github.com/jobrun/jobrun/internal/lint"
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// dockerWarnings runs the lint-config rules about token theft over the
// runner that exec's Docker flags amount to, so that `jobrun exec
// --privileged` (or a mounted Docker socket, or the host network) is
// warned about in the same words, with the same codes, as `jobrun
// lint-config` and `jobrun run` use.
func dockerWarnings(opts *Options) []lint.Finding {
	cfg := &runnerconfig.Config{
		Concurrent: concurrency(opts),
		Runners: []runnerconfig.Runner{{
			Name:     "jobrun exec",
			Executor: "docker",
			Docker: &runnerconfig.Docker{
				Privileged:  opts.Privileged,
				Volumes:     opts.Volumes,
				NetworkMode: opts.Network,
			},
		}},
	}
	var out []lint.Finding
	for _, f := range lint.TokenTheftWarnings(cfg, 0) {
		// exec has no image allowlists to set: JR031's advice is for
		// config.toml; JR030 already says what privileged costs.
		if f.Code != "JR031" {
			out = append(out, f)
		}
	}
	return out
}

func printWarnings(w io.Writer, findings []lint.Finding) {
	for _, f := range findings {
		fmt.Fprintf(w, "jobrun: warning: %s\n", f)
	}
}
