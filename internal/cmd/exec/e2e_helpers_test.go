package exec

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/iostreams"
)

// gitProject copies testdata/pipelines/<name>/ into a fresh git work
// tree with one commit and returns its directory.
func gitProject(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("testdata", "pipelines", name)
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	gitInit(t, dir)
	return dir
}

func gitInit(t testing.TB, dir string) {
	t.Helper()
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "."},
		{"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "test"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
}

// pipelineRun is one `jobrun exec` run through run(), with fake streams.
type pipelineRun struct {
	dir           string
	out, errOut   string
	exitCode      int
	logs          map[string]string // job name → log file contents
	fingerprints  []string
	secretsInLogs []string
}

// execPipeline runs `jobrun exec` in dir with the options mod sets,
// one job at a time so that the terminal output is in a fixed order.
func execPipeline(ctx context.Context, t *testing.T, dir string, env map[string]string, mod func(*Options)) pipelineRun {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	opts := &Options{IO: ios, File: ".gitlab-ci.yml", Dir: dir, Executor: "shell", Concurrency: 1,
		Version: "test", CacheDir: t.TempDir(),
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	if mod != nil {
		mod(opts)
	}
	err := run(ctx, opts)
	r := pipelineRun{dir: dir, out: out.String(), errOut: errOut.String(), exitCode: cmdutil.ExitCode(err), logs: map[string]string{}}
	if err != nil && err.Error() != "" {
		r.errOut += "jobrun: " + err.Error() + "\n"
	}
	paths, _ := filepath.Glob(filepath.Join(dir, ".jobrun", "logs", "*", "*.log"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		r.logs[filepath.Base(p)] = string(b)
	}
	return r
}

var (
	durationRe    = regexp.MustCompile(`(\s)\d+(\.\d+)?(ms|µs|s|m)\b`)
	sectionRe     = regexp.MustCompile(`section_(start|end):\d+:`)
	fingerprintRe = regexp.MustCompile(`fingerprint=([0-9a-f]{64})`)
	startedAtRe   = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
	// The local job API listens on a random port.
	apiPortRe = regexp.MustCompile(`127\.0\.0\.1:\d+`)
)

// normalise makes a run's output comparable with a golden file: the
// project directory, durations, section timestamps and token
// fingerprints (collected, so the test can check they differ) vary.
func (r *pipelineRun) normalise(s string) string {
	s = strings.ReplaceAll(s, r.dir, "$DIR")
	s = durationRe.ReplaceAllString(s, "$1<dur>")
	s = sectionRe.ReplaceAllString(s, "section_$1:<time>:")
	s = startedAtRe.ReplaceAllString(s, "<time>")
	s = apiPortRe.ReplaceAllString(s, "127.0.0.1:<port>")
	return fingerprintRe.ReplaceAllStringFunc(s, func(m string) string {
		fp := fingerprintRe.FindStringSubmatch(m)[1]
		if !slices.Contains(r.fingerprints, fp) {
			r.fingerprints = append(r.fingerprints, fp)
		}
		return "fingerprint=<sha256 of this job's token>"
	})
}

// golden is what the golden file holds: exit code, terminal output and
// every job's log file, normalised.
func (r *pipelineRun) golden() string {
	var b strings.Builder
	fmt.Fprintf(&b, "exit code %d\n== stderr ==\n%s== terminal ==\n%s", r.exitCode, r.normalise(r.errOut), r.normalise(r.out))
	names := make([]string, 0, len(r.logs))
	for n := range r.logs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintf(&b, "== .jobrun/logs/1/%s ==\n%s", n, r.normalise(r.logs[n]))
	}
	return b.String()
}

// assertAbsent fails when any secret, or a token, appears anywhere the
// run wrote: the terminal, stderr, the log files.
func (r *pipelineRun) assertAbsent(t *testing.T, secrets ...string) {
	t.Helper()
	all := r.out + r.errOut
	for _, l := range r.logs {
		all += l
	}
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Errorf("a secret of %d bytes is visible in the output", len(s))
		}
	}
	if regexp.MustCompile(`glcbt-[0-9A-Za-z]{8}`).MatchString(all) {
		t.Errorf("a job token is visible in the output")
	}
}
