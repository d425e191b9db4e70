package lint

import (
	"strings"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// Facts are what the catalogue computes once per [[runners]] entry to pick
// severities (lint-rules.md §2, "Context facts").
type Facts struct {
	// Ephemeral: one job per host (docker+machine with MaxBuilds = 1, or
	// docker-autoscaler/instance with max_use_count = 1 and
	// capacity_per_instance = 1). Lowers privileged findings (⇣E).
	Ephemeral bool
	// SharedHost: jobs of different projects meet on one host: a shell,
	// ssh or custom executor, or a non-ephemeral docker/instance runner
	// with several runners or concurrent jobs on the host. Raises
	// privileged findings.
	SharedHost bool
	// ShellLikeInFile: any runner of the file uses shell, ssh or custom
	// (⇡S in the catalogue).
	ShellLikeInFile bool
	// Concurrency is min(concurrent, limit), the jobs that may run at once.
	Concurrency int
	// DockerAPIExposed: the job can drive a container runtime (privileged,
	// or a runtime socket mounted).
	DockerAPIExposed bool
}

// scope is what a rule sees: the whole config, and, for runner rules, one
// runner with its facts. file is nil when the config was built in memory
// (CheckRunner); findings then carry no position.
type scope struct {
	file     *runnerconfig.File
	cfg      *runnerconfig.Config
	idx      int // runner index; -1 while global rules run
	r        *runnerconfig.Runner
	facts    Facts
	filePath string
}

// finding builds a finding of rule m at key (a path below the runner, or
// below the top level for global rules; "/concurrent" names a top-level
// key from a runner rule). A missing key is placed at its nearest table.
func (s *scope) finding(m Meta, sev Severity, conf Confidence, key, msg string) Finding {
	f := Finding{
		Code: m.Code, Slug: m.Slug, Title: m.Title, Fix: m.Fix,
		Severity: sev, Confidence: conf, Message: msg,
		File: s.filePath, Runner: s.idx,
	}
	if s.r != nil {
		f.RunnerName = s.r.Name
	}
	runner := s.idx
	if strings.HasPrefix(key, "/") {
		key, runner = key[1:], -1
	}
	f.Key = key
	if runner >= 0 {
		f.Key = "runners." + key
	}
	f.Pos = s.place(runner, key)
	return f
}

// place finds key, else the closest enclosing table that is written in
// the file, else the runner's [[runners]] line.
func (s *scope) place(runner int, key string) runnerconfig.Pos {
	if s.file == nil {
		return runnerconfig.Pos{}
	}
	for p := key; p != ""; {
		if k, ok := s.file.Lookup(runner, p); ok {
			return k.Pos
		}
		i := strings.LastIndexByte(p, '.')
		if i < 0 {
			break
		}
		p = p[:i]
	}
	if runner >= 0 {
		if k, ok := s.file.Lookup(-1, "runners."+itoa(runner)); ok {
			return k.Pos
		}
	}
	return runnerconfig.Pos{Line: 1, Col: 1}
}

// elemPos places element i of the array at key, or the key itself.
func (s *scope) elemPos(f *Finding, key string, i int) {
	if s.file == nil {
		return
	}
	if k, ok := s.file.Lookup(s.idx, key); ok && i < len(k.Elems) {
		f.Pos = k.Elems[i]
	}
}

// computeFacts derives the facts of runner i of cfg.
func computeFacts(cfg *runnerconfig.Config, i int) Facts {
	r := &cfg.Runners[i]
	var fa Facts
	for _, o := range cfg.Runners {
		if shellLike(o.Executor) {
			fa.ShellLikeInFile = true
		}
	}
	concurrent := cfg.Concurrent
	if concurrent <= 0 {
		concurrent = 1 // the runner's NewConfig default
	}
	fa.Concurrency = concurrent
	if r.Limit > 0 && r.Limit < concurrent {
		fa.Concurrency = r.Limit
	}
	switch r.Executor {
	case "docker+machine":
		fa.Ephemeral = r.Machine != nil && r.Machine.MaxBuilds == 1
	case "docker-autoscaler", "instance":
		a := r.Autoscaler
		fa.Ephemeral = a != nil && a.MaxUseCount == 1 && capacity(a) == 1
	}
	hostBound := shellLike(r.Executor) || r.Executor == "docker" || r.Executor == "docker-windows" || r.Executor == "instance"
	fa.SharedHost = !fa.Ephemeral && (shellLike(r.Executor) ||
		hostBound && (len(cfg.Runners) > 1 || fa.Concurrency > 1))
	if d := dockerOf(r); d != nil {
		fa.DockerAPIExposed = d.Privileged || len(socketMounts(d.Volumes)) > 0
	}
	return fa
}

func shellLike(executor string) bool {
	return executor == "shell" || executor == "ssh" || executor == "custom"
}

// capacity is capacity_per_instance with the runner's default of 1.
func capacity(a *runnerconfig.Autoscaler) int {
	if a.CapacityPerInstance <= 0 {
		return 1
	}
	return a.CapacityPerInstance
}

// usesDocker reports whether the executor reads [runners.docker].
func usesDocker(executor string) bool {
	return strings.HasPrefix(executor, "docker")
}

// dockerOf is [runners.docker] when the runner's executor uses it (nil
// for the global scope).
func dockerOf(r *runnerconfig.Runner) *runnerconfig.Docker {
	if r == nil || r.Docker == nil || !usesDocker(r.Executor) {
		return nil
	}
	return r.Docker
}

// kubernetesOf is [runners.kubernetes] when the executor is kubernetes.
func kubernetesOf(r *runnerconfig.Runner) *runnerconfig.Kubernetes {
	if r == nil || r.Kubernetes == nil || r.Executor != "kubernetes" {
		return nil
	}
	return r.Kubernetes
}
