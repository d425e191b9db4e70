package runner

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/jobrun/jobrun/internal/job"
)

// localJob is a job as the pipeline compiler would hand it over: no
// token yet, CI_JOB_NAME set.
func localJob(name, stage string, script, after []string, node Node) LocalJob {
	node.Name, node.Stage = name, stage
	return LocalJob{
		Payload: &job.Payload{
			JobInfo:    job.JobInfo{Name: name, Stage: stage, ProjectFullPath: "acme/app"},
			RunnerInfo: job.RunnerInfo{Timeout: 60},
			Variables: job.Variables{
				{Key: "CI_JOB_NAME", Value: name, Public: true},
				{Key: "CI_SERVER_URL", Value: "https://gitlab.acme.test", Public: true},
				{Key: "DEPLOY_PASSWORD", Value: "hunter2-but-longer", Masked: true},
			},
			Steps: []job.Step{
				{Name: job.StepScript, Script: script, When: job.WhenOnSuccess},
				{Name: job.StepAfterScript, Script: after, When: job.WhenAlways},
			},
		},
		Node: node,
	}
}

var durations = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|ms|s|m)\b`)

// A small pipeline end to end through real bash: the terminal output and
// every job's log file match their golden files, each job had its own
// token, and no token or masked value was printed anywhere.
func TestLocalPipelineGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	saveToken := `printf '%s' "$CI_JOB_TOKEN" > "tokens/$CI_JOB_NAME"`
	jobs := []LocalJob{
		localJob("build", "build", []string{"mkdir -p tokens", saveToken,
			`echo "token=$CI_JOB_TOKEN"`, `echo "clone $CI_REPOSITORY_URL"`, `echo "password=$DEPLOY_PASSWORD"`}, nil, Node{}),
		localJob("lint", "test", []string{"echo linting", "exit 3"}, nil,
			Node{AllowFailure: AllowFailure{ExitCodes: []int{3}}}),
		localJob("unit", "test", []string{saveToken, "echo unit ok"}, []string{`echo "after: $CI_JOB_STATUS"`},
			Node{NeedsDeclared: true, Needs: []Need{{Name: "build"}}}),
		localJob("flaky", "test", []string{"if [ ! -e flaky.once ]; then touch flaky.once; echo first try fails; exit 1; fi", "echo recovered"}, nil,
			Node{Retry: Retry{Max: 1}}),
		localJob("deploy", "deploy", []string{"echo deploying"}, nil, Node{When: WhenManual}),
		localJob("report", "deploy", []string{saveToken, `echo "tokens: $(ls tokens | tr '\n' ' ')"`}, nil, Node{}),
	}
	var term bytes.Buffer
	opts := LocalOptions{
		Runner:   testRunner(t),
		Terminal: NewTerminal(&term, TerminalOptions{NameWidth: 6}),
		Dir:      dir, StateRoot: dir, Pipeline: "1",
		Stages:   []string{"build", "test", "deploy"},
		Schedule: ScheduleOptions{Concurrency: 1},
	}
	sum, err := RunLocal(context.Background(), jobs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed() || sum.Interrupted {
		t.Errorf("pipeline failed=%v interrupted=%v", sum.Failed(), sum.Interrupted)
	}
	if err := WriteSummary(&term, sum, false); err != nil {
		t.Fatal(err)
	}
	out := durations.ReplaceAllString(strings.ReplaceAll(term.String(), dir, "$DIR"), "<dur>")
	checkGolden(t, "TestLocalPipelineGolden/terminal", []byte(out))

	tokens := map[string]bool{}
	for _, name := range []string{"build", "unit", "report"} {
		b, err := os.ReadFile(filepath.Join(dir, "tokens", name))
		if err != nil {
			t.Fatal(err)
		}
		tok := string(b)
		if !regexp.MustCompile(`^glcbt-[0-9A-Za-z]{32}$`).MatchString(tok) || tokens[tok] {
			t.Errorf("job %s: token %q is malformed or not unique", name, tok)
		}
		tokens[tok] = true
		if strings.Contains(term.String(), tok) {
			t.Errorf("job %s: token printed on the terminal", name)
		}
	}
	for _, name := range []string{"build", "lint", "unit", "flaky", "report"} {
		b, err := os.ReadFile(LogPath(dir, "1", name))
		if err != nil {
			t.Fatal(err)
		}
		for tok := range tokens {
			if bytes.Contains(b, []byte(tok)) {
				t.Errorf("log of %s holds a token", name)
			}
		}
		if bytes.Contains(b, []byte("hunter2-but-longer")) {
			t.Errorf("log of %s holds the masked password", name)
		}
		checkGolden(t, "TestLocalPipelineGolden/"+name+".log", readable(string(b), dir))
	}
	if _, err := os.Stat(LogPath(dir, "1", "deploy")); !os.IsNotExist(err) {
		t.Errorf("the manual job that did not run has a log: %v", err)
	}
	assertNoTempLogs(t, dir)
}

// Interrupting a pipeline cancels the running job, runs its
// after_script, writes its whole log, and starts nothing else.
func TestLocalPipelineInterrupt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	jobs := []LocalJob{
		localJob("long", "build", []string{"echo > started", "sleep 300"}, []string{`echo "after: $CI_JOB_STATUS"`}, Node{}),
		localJob("next", "test", []string{"echo never"}, nil, Node{When: WhenAlways}),
	}
	go func() {
		waitForPidFile(filepath.Join(dir, "started"))
		cancel()
	}()
	var term bytes.Buffer
	sum, err := RunLocal(ctx, jobs, LocalOptions{
		Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{NameWidth: 4}),
		Dir: dir, StateRoot: dir, Pipeline: "2", Schedule: ScheduleOptions{Concurrency: 2},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(&term, sum, false); err != nil {
		t.Fatal(err)
	}
	if !sum.Interrupted {
		t.Error("summary does not say interrupted")
	}
	out := durations.ReplaceAllString(strings.ReplaceAll(term.String(), dir, "$DIR"), "<dur>")
	checkGolden(t, t.Name()+"/terminal", []byte(out))
	log, err := os.ReadFile(LogPath(dir, "2", "long"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(log, []byte("after: canceled\n")) || !bytes.HasSuffix(log, []byte("ERROR: Job failed: canceled\x1b[0;m\n")) {
		t.Errorf("log of the interrupted job is incomplete:\n%s", log)
	}
	assertNoTempLogs(t, dir)
}

func assertNoTempLogs(t *testing.T, dir string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(dir, ".jobrun", "logs", "*", ".*.tmp"))
	if len(left) > 0 {
		t.Errorf("temporary log files left: %v", left)
	}
}

// Jobs that declare an image but run on the shell executor get one
// warning for the whole pipeline.
func TestLocalWarnsOnceAboutImagesOnTheHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a := localJob("a", "test", []string{"true"}, nil, Node{})
	a.Payload.Image.Name = "golang:1.26"
	b := localJob("b", "test", []string{"true"}, nil, Node{})
	b.Payload.Image.Name = "alpine"
	c := localJob("c", "test", []string{"true"}, nil, Node{})
	var term bytes.Buffer
	if _, err := RunLocal(context.Background(), []LocalJob{a, b, c}, LocalOptions{
		Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{}), Dir: dir,
	}); err != nil {
		t.Fatal(err)
	}
	want := "WARNING: a, b declare an image: but run with the shell executor, directly on this host " +
		"with your user's privileges and files (use --executor docker to isolate them)\n"
	if got := strings.Count(term.String(), "WARNING:"); got != 1 || !strings.HasPrefix(term.String(), want) {
		t.Errorf("%d warnings; output:\n%s", got, term.String())
	}
}

// reports:dotenv of one job become variables of the jobs that get its
// artifacts; a malformed report fails its job with the line to fix.
func TestLocalDotenvPassing(t *testing.T) {
	t.Parallel()
	dotenv := func(lj LocalJob, path string) LocalJob {
		lj.Payload.Artifacts = []job.Artifact{{Name: "dotenv", Paths: []string{path}, ArtifactType: job.ArtifactTypeDotenv, When: job.WhenOnSuccess}}
		return lj
	}
	dir := t.TempDir()
	jobs := []LocalJob{
		dotenv(localJob("version", "build", []string{`echo "VERSION=1.2.$((1+1))" > build.env`, `echo "CI_JOB_$(echo TOKEN)=forged" >> build.env`}, nil, Node{}), "build.env"),
		dotenv(localJob("broken", "build", []string{`printf 'OK=1\nNOT-A-KEY=2\n' > broken.env`}, nil, Node{AllowFailure: AllowFailure{Any: true}}), "broken.env"),
		localJob("use", "test", []string{`echo "version $VERSION, token is ${#CI_JOB_TOKEN} chars"`}, nil, Node{}),
		localJob("alone", "test", []string{`echo "version ${VERSION:-unset}"`}, nil, Node{NeedsDeclared: true}),
	}
	var term bytes.Buffer
	sum, err := RunLocal(context.Background(), jobs, LocalOptions{
		Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{NameWidth: 7}),
		Dir: dir, Stages: []string{"build", "test"}, Schedule: ScheduleOptions{Concurrency: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(&term, sum, false); err != nil {
		t.Fatal(err)
	}
	out := durations.ReplaceAllString(strings.ReplaceAll(term.String(), dir, "$DIR"), "<dur>")
	checkGolden(t, t.Name(), []byte(out))
}

// A job's archive is saved as .jobrun/artifacts/<pipeline>/<job>.zip and
// restored into the jobs of later stages, even when something removed
// the files in between.
func TestLocalArtifactsBetweenStages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	build := localJob("build", "build", []string{"mkdir -p out", "echo v1 > out/app", "echo junk > out/app.o"}, nil, Node{})
	build.Payload.Artifacts = []job.Artifact{{Paths: []string{"out/"}, Exclude: []string{"**/*.o"}, When: job.WhenOnSuccess}}
	jobs := []LocalJob{
		build,
		localJob("clean", "test", []string{"rm -rf out", "ls out 2>/dev/null || echo out is gone"}, nil, Node{NeedsDeclared: true}),
		localJob("deploy", "deploy", []string{"cat out/app", "ls out"}, nil, Node{}),
	}
	var term bytes.Buffer
	sum, err := RunLocal(context.Background(), jobs, LocalOptions{
		Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{NameWidth: 6}),
		Dir: dir, StateRoot: dir, Pipeline: "3",
		Stages: []string{"build", "test", "deploy"}, Schedule: ScheduleOptions{Concurrency: 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteSummary(&term, sum, false); err != nil {
		t.Fatal(err)
	}
	out := durations.ReplaceAllString(strings.ReplaceAll(term.String(), dir, "$DIR"), "<dur>")
	checkGolden(t, t.Name(), []byte(out))
	zr, err := zip.OpenReader(filepath.Join(dir, ".jobrun", "artifacts", "3", "build.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"out/", "out/app"}, names); diff != "" {
		t.Errorf("stored archive (-want +got):\n%s", diff)
	}
}

// `cache:` survives between pipeline runs under .jobrun/cache/: a miss
// then a hit, a fallback key, and a pull-only cache that never writes.
func TestLocalCacheAcrossRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	useCache := `if [ -f vendor/lib ]; then echo "cache hit: $(cat vendor/lib)"; else echo "cache miss"; mkdir -p vendor; echo built > vendor/lib; fi`
	withCache := func(lj LocalJob, c job.Cache) LocalJob {
		lj.Payload.Cache = []job.Cache{c}
		return lj
	}
	var term bytes.Buffer
	for run, jobs := range [][]LocalJob{
		{withCache(localJob("deps", "build", []string{useCache}, nil, Node{}), job.Cache{Key: "deps-v1", Paths: []string{"vendor/"}})},
		{withCache(localJob("deps", "build", []string{useCache}, nil, Node{}), job.Cache{Key: "deps-v1", Paths: []string{"vendor/"}})},
		{withCache(localJob("deps", "build", []string{useCache}, nil, Node{}), job.Cache{Key: "deps-v2", FallbackKeys: []string{"deps-v1"}, Paths: []string{"vendor/"}, Policy: job.CachePull})},
		{withCache(localJob("deps", "build", []string{useCache}, nil, Node{}), job.Cache{Key: "deps-v2", Paths: []string{"vendor/"}, Policy: job.CachePull})},
	} {
		// Every run starts from a working copy without the cached files.
		if err := os.RemoveAll(filepath.Join(dir, "vendor")); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&term, "--- run %d\n", run+1)
		sum, err := RunLocal(context.Background(), jobs, LocalOptions{
			Runner: testRunner(t), Terminal: NewTerminal(&term, TerminalOptions{NameWidth: 4}),
			Dir: dir, StateRoot: dir, Pipeline: fmt.Sprint(run + 1),
		})
		if err != nil || sum.Failed() {
			t.Fatalf("run %d: %v %+v", run+1, err, sum)
		}
	}
	out := strings.ReplaceAll(term.String(), dir, "$DIR")
	checkGolden(t, t.Name(), []byte(out))
	if _, err := os.Stat(filepath.Join(dir, ".jobrun", "cache", "deps-v2.zip")); !os.IsNotExist(err) {
		t.Errorf("a pull-only cache was written: %v", err)
	}
}
