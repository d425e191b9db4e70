package exec

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	"github.com/jobrun/jobrun/internal/cmdutil"
	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/jobapi"
	"github.com/jobrun/jobrun/internal/runner"
)

// localAPI is the job-token API of one `jobrun exec` run (internal/jobapi)
// and what ties it to the runner: the jobs' server variables, the token
// registered while its job runs, and denied-request notes into the job's
// log.
type localAPI struct {
	srv     *jobapi.Server
	current jobapi.Project
	log     *lazyFile

	mu sync.Mutex
	// notes is each running job's masked trace, for the Denied callback.
	notes map[jobKey]io.Writer
	// pipelines numbers downstream pipelines after the run's own.
	pipelines int64
	// trigger runs downstream pipelines; set once the runner exists.
	trigger jobapi.TriggerFunc
	// bridge serves Docker jobs (bridge.go); nil when no job needs it
	// or the host has no Docker bridge.
	bridge   *bridgeListener
	inDocker func(*job.Payload) bool
}

// jobKey names a running job: downstream pipelines number their jobs
// from 1 again, so the job id alone is not enough.
type jobKey struct{ project, pipeline, job int64 }

// startAPI starts the server on loopback for the pipeline of the project
// at dir, whose jobs are jobs; nil when --no-api. The request log is
// .jobrun/logs/<pipeline>/api.log (mode 0600), and stderr with --verbose.
func startAPI(opts *Options, dir, pipelineID string, jobs []runner.LocalJob, projects []jobapi.Project,
	ex executor.Executor, artifacts jobapi.ArtifactStore) (*localAPI, error) {
	if opts.NoAPI || len(jobs) == 0 {
		return nil, nil
	}
	first := jobs[0].Payload.JobInfo
	current := jobapi.Project{ID: first.ProjectID, FullPath: first.ProjectFullPath, Dir: dir, Visibility: jobapi.Private}
	if _, err := jobapi.New(jobapi.Config{Projects: []jobapi.Project{current}, DataDir: dir}); err != nil {
		// The path comes from the directory's name (local/<dir>) or the
		// origin remote; one GitLab would not accept (a space, say) is no
		// reason to refuse to run the jobs.
		fmt.Fprintf(opts.IO.ErrOut, "jobrun: warning: the local job API is off: %v\n", err)
		return nil, nil
	}
	logFile := &lazyFile{path: filepath.Join(dir, ".jobrun", "logs", pipelineID, "api.log")}
	var requestLog io.Writer = logFile
	if opts.Verbose {
		requestLog = io.MultiWriter(logFile, opts.IO.ErrOut)
	}
	a := &localAPI{current: current, log: logFile, notes: map[jobKey]io.Writer{}, pipelines: atoi64(pipelineID)}
	srv, err := jobapi.New(jobapi.Config{
		Projects:   append([]jobapi.Project{current}, projects...),
		DataDir:    filepath.Join(dir, ".jobrun"),
		Artifacts:  artifacts,
		RequestLog: requestLog,
		Denied:     a.denied,
		Trigger:    a.triggerPipeline,
	})
	if err != nil {
		logFile.Close()
		return nil, cmdutil.BadInput("jobrun.yaml: exec.projects: %v (the pipeline's own project is %d %s)",
			err, current.ID, current.FullPath)
	}
	if err := srv.Start(); err != nil {
		logFile.Close()
		return nil, fmt.Errorf("exec: %w", err)
	}
	a.srv = srv
	a.inDocker = func(p *job.Payload) bool { return inContainer(ex, p, opts.Network) }
	if slices.ContainsFunc(jobs, func(lj runner.LocalJob) bool { return a.inDocker(lj.Payload) }) {
		if a.bridge, err = listenOnBridge(srv); err != nil {
			fmt.Fprintf(opts.IO.ErrOut, "jobrun: warning: Docker jobs cannot reach the job API: no %s address (%v)\n", bridgeInterface, err)
		}
	}
	for _, lj := range jobs {
		a.pointAt(lj.Payload, current)
	}
	if opts.Verbose {
		fmt.Fprintf(opts.IO.ErrOut, "jobrun: job API at %s\n", srv.URL())
		if a.bridge != nil {
			fmt.Fprintf(opts.IO.ErrOut, "jobrun: job API for containers at %s\n", a.bridge.url)
		}
	}
	return a, nil
}

// lazyFile is the request log: created (mode 0600, replacing the last
// run's) on the first request, so that a pipeline whose jobs never call
// the API leaves no empty api.log. The server serializes its writes.
type lazyFile struct {
	path string
	f    *os.File
	err  error
}

func (l *lazyFile) Write(p []byte) (int, error) {
	if l.f == nil && l.err == nil {
		if l.err = os.MkdirAll(filepath.Dir(l.path), 0o700); l.err == nil {
			l.f, l.err = os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		}
	}
	if l.err != nil {
		return 0, l.err
	}
	return l.f.Write(p)
}

func (l *lazyFile) Close() error {
	if l.f == nil {
		return nil
	}
	return l.f.Close()
}

// close stops the server and closes the request log; nil-safe.
func (a *localAPI) close() {
	if a == nil {
		return
	}
	a.bridge.close()
	_ = a.srv.Close()
	_ = a.log.Close()
}

// hook is runner.LocalOptions.OnJobStart: nil without the API.
func (a *localAPI) hook() runner.JobHook {
	if a == nil {
		return nil
	}
	return a.jobStarted
}

// jobStarted registers the attempt's fresh token for as long as the
// attempt runs, and its trace for denied-request notes.
func (a *localAPI) jobStarted(p *job.Payload, notes io.Writer) (func(), error) {
	info := jobapi.JobInfo{
		ProjectID: p.JobInfo.ProjectID, JobID: p.JobInfo.ID, JobName: p.JobInfo.Name, Stage: p.JobInfo.Stage,
		PipelineID: p.JobInfo.PipelineID, Ref: p.GitInfo.Ref, SHA: p.GitInfo.Sha,
		UserName: p.Variables.Value("GITLAB_USER_LOGIN"),
	}
	if err := a.srv.Register(p.Token, info); err != nil {
		return nil, err
	}
	key := keyOf(info)
	a.mu.Lock()
	a.notes[key] = notes
	a.mu.Unlock()
	token := p.Token
	return func() {
		a.srv.Revoke(token)
		a.mu.Lock()
		delete(a.notes, key)
		a.mu.Unlock()
	}, nil
}

// denied writes the server's one-line explanation into the job's log.
func (a *localAPI) denied(info jobapi.JobInfo, note string) { a.note(info, note) }

// note writes one line into the log of a running job.
func (a *localAPI) note(info jobapi.JobInfo, note string) {
	a.mu.Lock()
	w := a.notes[keyOf(info)]
	a.mu.Unlock()
	if w != nil {
		fmt.Fprintf(w, "%s\n", note)
	}
}

// triggerPipeline is the server's TriggerFunc: the server exists before
// the runner that downstream pipelines use.
func (a *localAPI) triggerPipeline(ctx context.Context, req jobapi.TriggerRequest) (jobapi.Pipeline, error) {
	a.mu.Lock()
	trigger := a.trigger
	a.mu.Unlock()
	if trigger == nil {
		return jobapi.Pipeline{}, errors.New("exec: no runner for downstream pipelines")
	}
	return trigger(ctx, req)
}

func keyOf(info jobapi.JobInfo) jobKey {
	return jobKey{project: info.ProjectID, pipeline: info.PipelineID, job: info.JobID}
}

// pointAt sets the variables GitLab derives from its own address so that
// they name the local server; the runner derives CI_REPOSITORY_URL (with
// the token) from CI_SERVER_URL when it mints the token.
func (a *localAPI) pointAt(p *job.Payload, project jobapi.Project) {
	server := a.srv.URL()
	if a.bridge != nil && a.inDocker(p) {
		server = a.bridge.url
	}
	base, _ := url.Parse(server)
	set := func(k, v string) { p.Variables.Set(job.Variable{Key: k, Value: v, Public: true}) }
	set("CI_SERVER_URL", server)
	set("CI_API_V4_URL", server+"/api/v4")
	set("CI_API_GRAPHQL_URL", server+"/api/graphql")
	set("CI_SERVER_HOST", base.Hostname())
	set("CI_SERVER_FQDN", base.Hostname())
	set("CI_SERVER_PORT", base.Port())
	set("CI_SERVER_PROTOCOL", base.Scheme)
	projectURL := server + "/" + project.FullPath
	set("CI_PROJECT_URL", projectURL)
	set("CI_PIPELINE_URL", projectURL+"/-/pipelines/"+strconv.FormatInt(p.JobInfo.PipelineID, 10))
	set("CI_JOB_URL", projectURL+"/-/jobs/"+strconv.FormatInt(p.JobInfo.ID, 10))
	set("CI_PROJECT_VISIBILITY", string(visibilityOf(project)))
}

func visibilityOf(p jobapi.Project) jobapi.Visibility {
	if p.Visibility == "" {
		return jobapi.Private
	}
	return p.Visibility
}

func atoi64(s string) int64 {
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}

// serveAPI decodes jobrun.yaml's projects and starts the API (unless
// --no-api); out is the terminal's writer, serialized because downstream
// pipelines print to it as well.
func serveAPI(opts *Options, project, id string, jobs []runner.LocalJob, ex executor.Executor) (*localAPI, io.Writer, error) {
	out := &syncWriter{w: opts.IO.Out}
	if opts.NoAPI {
		return nil, out, nil
	}
	projects, err := decodeProjects(opts.ProjectsConfig, project)
	if err != nil {
		return nil, nil, err
	}
	api, err := startAPI(opts, project, id, jobs, projects, ex, artifactStore(&runner.UnpackedArtifacts{}))
	return api, out, err
}

// runDownstream lets jobs trigger the pipelines of jobrun.yaml's projects,
// run with r; nil-safe.
func (a *localAPI) runDownstream(opts *Options, r *runner.Runner, out io.Writer, abort context.Context) {
	if a == nil {
		return
	}
	d := &downstream{api: a, opts: opts, runner: r, out: out, abort: abort, depth: map[int64]int{}}
	a.mu.Lock()
	a.trigger = d.trigger
	a.mu.Unlock()
}

// artifactStore serves the API's artifact downloads from the runner's
// local archives. The ref is not checked: local pipelines all run the
// working tree.
func artifactStore(u *runner.UnpackedArtifacts) jobapi.ArtifactStore {
	return jobapi.ArtifactStoreFunc(func(project jobapi.Project, _, jobName string) (string, error) {
		dir, err := u.Dir(project.Dir, jobName)
		if err != nil {
			return "", jobapi.ErrNoArtifacts
		}
		return dir, nil
	})
}
