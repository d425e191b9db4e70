package runnermode

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jobrun/jobrun/internal/gitlabfake"
	"github.com/jobrun/jobrun/internal/job"
)

// GIT_STRATEGY and GIT_DEPTH as GitLab Runner honours them, against a
// real repository of three commits behind the fake's git http-backend.
// Each case runs a first job (clone) and then the job under test in the
// same working copy; the script prints what the checkout looks like.
func TestGitStrategy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		vars      job.Variables
		depth     int
		wantTrace []string
		wantOut   string // the script's "commits=… marker=…" line
	}{
		{"clone with GIT_DEPTH 1", job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}, {Key: "GIT_DEPTH", Value: "1"}}, 20,
			[]string{"Cloning repository for main with git depth set to 1...", "Created fresh repository."}, "commits=1 marker=no"},
		{"clone full history (GIT_DEPTH 0)", job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}, {Key: "GIT_DEPTH", Value: "0"}}, 20,
			[]string{"Cloning repository for main..."}, "commits=3 marker=no"},
		{"fetch reuses the working copy", job.Variables{{Key: "GIT_STRATEGY", Value: "fetch"}}, 2,
			[]string{"Fetching changes with git depth set to 2...", "Reinitialized existing Git repository"}, "commits=2 marker=no"},
		{"none leaves the directory as it is", job.Variables{{Key: "GIT_STRATEGY", Value: "none"}}, 20,
			[]string{"Skipping Git repository setup"}, "commits=3 marker=yes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake := gitlabfake.New(t, gitlabfake.Options{})
			bare, shas := bareRepo(t, 3)
			fake.AddRepo("acme/app", bare)
			sha := shas[len(shas)-1]
			spec := shellSpec(t, fake)
			// The first job clones everything and leaves an untracked marker.
			first := basePayload(sha, `touch marker`)
			first.GitInfo.Depth = 0
			first.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}}
			fake.Enqueue(first)
			if sum := serve(t, testOptions(t, spec)); !sum.Success() {
				t.Fatalf("first job: %+v", sum)
			}
			p := basePayload(sha, `echo "commits=$(git rev-list --count HEAD) marker=$(test -e marker && echo yes || echo no)"`, `cat README`)
			p.GitInfo.Depth = tc.depth
			p.Variables = tc.vars
			fj := fake.Enqueue(p)
			sum := serve(t, testOptions(t, spec))
			trace := fj.Trace()
			if !sum.Success() {
				t.Fatalf("summary %+v; trace:\n%s", sum, trace)
			}
			for _, want := range append(tc.wantTrace, "\n"+tc.wantOut+"\n", "commit 3\n") {
				if !bytes.Contains(trace, []byte(want)) {
					t.Errorf("trace lacks %q:\n%s", want, trace)
				}
			}
			assertNoSecrets(t, trace, fj.Payload.Token)
			assertClean(t, fake)
		})
	}
}

// The job token never reaches a command line: while a job runs (git
// fetch, the script), no process on the host shows it in its argv.
func TestTokenNeverInArgv(t *testing.T) {
	t.Parallel()
	fake := gitlabfake.New(t, gitlabfake.Options{})
	bare, shas := bareRepo(t, 1)
	fake.AddRepo("acme/app", bare)
	p := basePayload(shas[0], `for i in $(seq 1 20); do sleep 0.05; done`)
	p.Variables = job.Variables{{Key: "GIT_STRATEGY", Value: "clone"}}
	fj := fake.Enqueue(p)
	spec := shellSpec(t, fake)
	done := make(chan Summary, 1)
	go func() { done <- serve(t, testOptions(t, spec)) }()
	token := fj.Payload.Token
	scans := 0
	for running := true; running; {
		select {
		case sum := <-done:
			running = false
			if !sum.Success() {
				t.Fatalf("summary %+v; trace:\n%s", sum, fj.Trace())
			}
		default:
			if pid, ok := argvHolding(token); ok {
				t.Fatalf("process %s has the job token in its argv", pid)
			}
			scans++
			time.Sleep(2 * time.Millisecond)
		}
	}
	if scans < 10 {
		t.Errorf("only %d scans of the process table", scans)
	}
	// Nothing under the job's working copy holds the token either.
	_ = filepath.WalkDir(spec.BuildsDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(token)) {
				t.Errorf("%s holds the job token", path)
			}
		}
		return nil
	})
}

// argvHolding reports a process whose command line contains s.
func argvHolding(s string) (string, bool) {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(s)) {
			return strings.Split(p, "/")[2] + fmt.Sprintf(" (%q)", bytes.ReplaceAll(b, []byte{0}, []byte{' '})), true
		}
	}
	return "", false
}
