package executor

import (
	"context"

	"github.com/jobrun/jobrun/internal/job"
)

// Picker is an executor that hands each job to one of several executors;
// the runner core asks it which one before printing the executor's name
// and preparing the job.
type Picker interface {
	Executor
	Pick(p *job.Payload) Executor
}

// ByImage is `jobrun exec --executor auto`: jobs whose payload names an
// image run on Docker, every other job on Shell. Docker may be nil when
// no job of the pipeline names an image, so that such a pipeline never
// needs an engine.
type ByImage struct {
	Shell  Executor
	Docker Executor
}

var _ Picker = ByImage{}

// Name implements Executor; each job reports the executor it got.
func (b ByImage) Name() string { return "auto" }

// Pick returns Docker for a job with an image (when there is a Docker
// executor), else Shell.
func (b ByImage) Pick(p *job.Payload) Executor {
	if p != nil && p.Image.Name != "" && b.Docker != nil {
		return b.Docker
	}
	return b.Shell
}

// Prepare implements Executor by preparing the job on the picked executor.
func (b ByImage) Prepare(ctx context.Context, spec Spec) (Session, error) {
	return b.Pick(spec.Payload).Prepare(ctx, spec)
}

// Pick returns the executor that runs p: e itself, or the one a Picker
// chooses.
func Pick(e Executor, p *job.Payload) Executor {
	if picker, ok := e.(Picker); ok {
		return picker.Pick(p)
	}
	return e
}
