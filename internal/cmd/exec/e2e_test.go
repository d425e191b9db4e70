package exec

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// End to end through `jobrun exec`: the compiler, the runner core, the
// real masker and bash; terminal output and every log file against
// golden files (go test -update rewrites them). internal/runner tests the
// same behaviours one layer down, with a stand-in masker; these check
// that the command wires them together as a user sees them.
func TestExecGolden(t *testing.T) {
	t.Parallel()
	const envSecret = "env-secret-value-1234"
	tests := []struct {
		name     string
		pipeline string
		env      map[string]string
		mod      func(*Options)
		secrets  []string
		exit     int
		contains []string
	}{
		{
			name: "token masked in every form and unique per job", pipeline: "token",
			env: map[string]string{"FROM_ENV": envSecret},
			mod: func(o *Options) {
				o.Secrets = []string{"FROM_ENV"}
				o.VariablesFile = filepath.Join(o.Dir, "vars.yml")
			},
			secrets: []string{envSecret, "file-secret/with:chars&more", "file-secret%2Fwith%3Achars%26more", "ZW52LXNlY3JldC12YWx1ZS0xMjM0"},
			contains: []string{"first  > plain [MASKED] end", "first  > base64 [MASKED] end", "first  > urlencoded [MASKED] end",
				"first  > registry gitlab-ci-token [MASKED] [MASKED] end", "first  > token shape glcbt- 38", "first  > note this-text-stays-visible end",
				"clone http://gitlab-ci-token:[MASKED]@127.0.0.1:", // the local job API
				"second > env secret [MASKED] end, base64 [MASKED] end", "second > file secret [MASKED] end, urlencoded [MASKED] end"},
		},
		{
			name: "failing command stops the script and after_script runs", pipeline: "failure", exit: 1,
			contains: []string{"broken > before the failure", "after_script sees CI_JOB_STATUS=failed", "later   test   skipped"},
		},
		{
			name: "allow_failure with and without exit codes passes", pipeline: "allow",
			mod:      func(o *Options) { o.Jobs = []string{"allowed-code", "allowed-any", "next"} },
			contains: []string{"allowed to fail", "next         > next runs after allowed failures", "Pipeline succeeded"},
		},
		{
			name: "an exit code outside allow_failure exit_codes fails", pipeline: "allow", exit: 1,
			mod:      func(o *Options) { o.Jobs = []string{"wrong-code"} },
			contains: []string{"ERROR: Job failed: exit code 4", "Pipeline failed"},
		},
		{
			name: "timeout kills the script and after_script runs", pipeline: "timeout", exit: 1,
			contains: []string{"after_script sees CI_JOB_STATUS=failed", "timeout"},
		},
		{
			name: "retry runs a failed job again", pipeline: "retry",
			contains: []string{"first attempt fails", "second attempt passes", "success (2 attempts)"},
		},
		{
			name: "dotenv and artifacts reach later stages, matrix, manual job skipped", pipeline: "stages",
			contains: []string{"test: [linux] > linux 1/2 version 1.2.3 artifact built-by-build",
				"test: [mac]   > mac 2/2 version 1.2.3 artifact built-by-build", "deploy         deploy  manual"},
		},
		{
			name: "a manual job runs when named", pipeline: "stages",
			mod:      func(o *Options) { o.Jobs = []string{"deploy"} },
			contains: []string{"deploy > deploying", "Pipeline succeeded"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := gitProject(t, tc.pipeline)
			r := execPipeline(context.Background(), t, dir, tc.env, tc.mod)
			if r.exitCode != tc.exit {
				t.Errorf("exit code %d, want %d\n%s%s", r.exitCode, tc.exit, r.errOut, r.out)
			}
			for _, want := range tc.contains {
				if !strings.Contains(r.out, want) {
					t.Errorf("terminal output lacks %q:\n%s", want, r.out)
				}
			}
			r.assertAbsent(t, tc.secrets...)
			checkGolden(t, r.golden())
			if printed := len(fingerprintRe.FindAllString(r.out, -1)); printed != len(r.fingerprints) {
				t.Errorf("%d jobs printed their token's fingerprint, %d distinct: tokens are not unique per job",
					printed, len(r.fingerprints))
			}
		})
	}
}
