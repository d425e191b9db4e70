package exec

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/jobrun/jobrun/internal/job"
	"github.com/jobrun/jobrun/internal/jobapi"
	"github.com/jobrun/jobrun/internal/pipeline"
	"github.com/jobrun/jobrun/internal/runner"
	"github.com/jobrun/jobrun/internal/workcopy"
)

// downstream runs a triggered project's pipeline locally, synchronously,
// with CI_PIPELINE_SOURCE=pipeline and the trigger's variables, its
// output on the terminal with every line prefixed by the project's path.
type downstream struct {
	api      *localAPI
	opts     *Options
	runner   *runner.Runner
	out      io.Writer // shared with the upstream terminal, serialized
	abort    context.Context
	sequence atomic.Int64

	mu sync.Mutex
	// depth is how many triggers led to each downstream pipeline; the
	// run's own pipeline is at depth 0.
	depth map[int64]int
}

// maxDownstreamDepth bounds chains of triggers (a project whose job
// triggers its own pipeline would otherwise run forever), as GitLab
// bounds a pipeline hierarchy.
const maxDownstreamDepth = 3

// trigger is the server's TriggerFunc. Why a pipeline could not be
// created goes into the triggering job's log: the API answers only 400.
func (d *downstream) trigger(ctx context.Context, req jobapi.TriggerRequest) (jobapi.Pipeline, error) {
	d.mu.Lock()
	depth := d.depth[req.Upstream.PipelineID] + 1
	d.mu.Unlock()
	if depth > maxDownstreamDepth {
		err := fmt.Errorf("jobrun: not triggering %s: %d pipelines deep already (at most %d downstream levels run locally)",
			req.Project.FullPath, depth-1, maxDownstreamDepth)
		d.api.note(req.Upstream, err.Error())
		return jobapi.Pipeline{}, err
	}
	id := d.api.pipelines + d.sequence.Add(1)
	d.mu.Lock()
	d.depth[id] = depth
	d.mu.Unlock()
	p, err := d.run(ctx, req, id)
	if err != nil {
		d.api.note(req.Upstream, fmt.Sprintf("jobrun: the downstream pipeline of %s could not run: %v", req.Project.FullPath, err))
	}
	return p, err
}

// run compiles and runs the downstream pipeline numbered id.
func (d *downstream) run(ctx context.Context, req jobapi.TriggerRequest, id int64) (jobapi.Pipeline, error) {
	dir := req.Project.Dir
	git, err := pipeline.ReadGit(ctx, dir)
	if err != nil {
		return jobapi.Pipeline{}, err
	}
	vars := job.Variables{{Key: "CI_PIPELINE_SOURCE", Value: "pipeline", Public: true}}
	keys := make([]string, 0, len(req.Variables))
	for k := range req.Variables {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		vars.Set(job.Variable{Key: k, Value: req.Variables[k]})
	}
	plan, err := pipeline.Compile(ctx, pipeline.Options{Dir: dir, File: ".gitlab-ci.yml", Git: git, CLIVars: vars})
	if err != nil {
		return jobapi.Pipeline{}, err
	}
	jobs, _ := localJobs(plan)
	for _, lj := range jobs {
		asProject(lj.Payload, req.Project, id)
		d.api.pointAt(lj.Payload, req.Project)
	}
	prefix := &prefixWriter{w: d.out, prefix: []byte(req.Project.FullPath + ": "), bol: true}
	pipelineDir := strconv.FormatInt(id, 10)
	workDir := filepath.Join(dir, workcopy.StateDir, "builds", pipelineDir)
	if _, err := workcopy.Sync(ctx, dir, workDir); err != nil {
		return jobapi.Pipeline{}, err
	}
	sum, err := runner.RunLocal(ctx, jobs, runner.LocalOptions{
		Runner:   d.runner,
		Terminal: runner.NewTerminal(prefix, runner.TerminalOptions{Color: d.opts.IO.ColorEnabled(), NameWidth: nameWidth(jobs)}),
		Dir:      workDir, StateRoot: dir, Pipeline: pipelineDir, Stages: plan.Stages,
		Schedule: runner.ScheduleOptions{Concurrency: concurrency(d.opts)},
		Abort:    d.abort, OnJobStart: d.api.hook(),
	})
	if err != nil {
		return jobapi.Pipeline{}, err
	}
	status := "success"
	switch {
	case sum.Interrupted:
		status = "canceled"
	case sum.Failed():
		status = "failed"
	}
	sha := ""
	if git != nil {
		sha = git.SHA
	}
	return jobapi.Pipeline{ID: id, IID: id, SHA: sha, Status: status}, nil
}

// asProject makes a payload compiled in another project's directory
// belong to that project as jobrun.yaml declares it, in a pipeline of its
// own number.
func asProject(p *job.Payload, project jobapi.Project, pipelineID int64) {
	set := func(k, v string) { p.Variables.Set(job.Variable{Key: k, Value: v, Public: true}) }
	id := strconv.FormatInt(pipelineID, 10)
	p.JobInfo.ProjectID = project.ID
	p.JobInfo.ProjectFullPath = project.FullPath
	p.JobInfo.ProjectName = project.Name()
	p.JobInfo.PipelineID = pipelineID
	set("CI_PROJECT_ID", strconv.FormatInt(project.ID, 10))
	set("CI_PROJECT_PATH", project.FullPath)
	set("CI_PROJECT_NAME", project.Name())
	set("CI_PIPELINE_ID", id)
	set("CI_PIPELINE_IID", id)
	set("CI_PIPELINE_SOURCE", "pipeline")
}

// prefixWriter puts prefix at the start of every line; a mutex shared
// with the upstream terminal keeps lines of the two pipelines whole.
type prefixWriter struct {
	w      io.Writer
	prefix []byte
	bol    bool
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	var out []byte
	for _, c := range b {
		if p.bol {
			out = append(out, p.prefix...)
		}
		out = append(out, c)
		p.bol = c == '\n'
	}
	if _, err := p.w.Write(out); err != nil {
		return 0, err
	}
	return len(b), nil
}

// syncWriter serializes writes of the upstream and downstream terminals.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
