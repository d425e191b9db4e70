package root

import (
	"context"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
)

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args       []string
		wantCode   int
		wantStderr string
	}{
		{[]string{"version"}, 0, ""},
		{[]string{"nosuch"}, 2, `jobrun: unknown command "nosuch"`},
		{[]string{"version", "--bogus"}, 2, "unknown flag: --bogus"},
		{[]string{"version", "extra"}, 2, "unknown command"},
		{[]string{"--config", "/nonexistent/jobrun.yaml", "version"}, 2, "/nonexistent/jobrun.yaml"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			ios, _, out, errOut := iostreams.Test()
			f := &cmdutil.Factory{IOStreams: ios, LookupEnv: func(string) (string, bool) { return "", false }, Version: "1.2.3"}
			code := Run(context.Background(), f, tc.args)
			if code != tc.wantCode {
				t.Errorf("exit code %d, want %d (stderr %q)", code, tc.wantCode, errOut)
			}
			if tc.wantStderr == "" && errOut.Len() != 0 || !strings.Contains(errOut.String(), tc.wantStderr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tc.wantStderr)
			}
			if tc.wantCode == 0 && !strings.HasPrefix(out.String(), "jobrun 1.2.3 ") {
				t.Errorf("stdout %q", out)
			}
			if strings.Count(errOut.String(), "\n") > 1 {
				t.Errorf("more than one line of error: %q", errOut)
			}
		})
	}
}
