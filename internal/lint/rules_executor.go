package lint

// JR020
type shellExecutor struct{}

func (shellExecutor) Meta() Meta {
	return Meta{Code: "JR020", Slug: "shell-executor", Severity: High,
		Title: "Shell executor runs jobs directly on the host",
		Help:  "Jobs run with the runner user's permissions and can read other projects' code, caches and tokens on the host.",
		Fix:   "use docker, kubernetes or docker-autoscaler with max_use_count = 1; if unavoidable, a locked, protected project runner on a dedicated host with FF_ENABLE_JOB_CLEANUP"}
}

func (r shellExecutor) check(s *scope) []Finding {
	if s.r == nil || s.r.Executor != "shell" {
		return nil
	}
	conf := ConfidenceMedium
	msg := "executor = \"shell\": jobs run as the runner's user on this host"
	if s.facts.SharedHost && (len(s.cfg.Runners) > 1 || s.facts.Concurrency > 1) {
		conf = ConfidenceHigh
		msg += ", next to other runners' or concurrent jobs"
	}
	return []Finding{s.finding(r.Meta(), High, conf, "executor", msg)}
}

// JR021
type sshHostKeyCheckingDisabled struct{}

func (sshHostKeyCheckingDisabled) Meta() Meta {
	return Meta{Code: "JR021", Slug: "ssh-host-key-checking-disabled", Severity: Medium,
		Title: "SSH executor without host key verification",
		Help:  "Without strict host key checking a man in the middle receives every job, its script and its token.",
		Fix:   "remove disable_strict_host_key_checking (default false) and set known_hosts_file"}
}

func (r sshHostKeyCheckingDisabled) check(s *scope) []Finding {
	if s.r == nil || s.r.SSH == nil || s.r.SSH.DisableStrictHostKeyChecking == nil || !*s.r.SSH.DisableStrictHostKeyChecking {
		return nil
	}
	return []Finding{s.finding(r.Meta(), Medium, ConfidenceHigh, "ssh.disable_strict_host_key_checking",
		"disable_strict_host_key_checking = true: the SSH executor trusts any host key")}
}

// JR022
type dockerMachineVMReuse struct{}

func (dockerMachineVMReuse) Meta() Meta {
	return Meta{Code: "JR022", Slug: "docker-machine-vm-reuse", Severity: High,
		Title: "Autoscaled docker-machine VMs reused across jobs",
		Help:  "GitLab strongly recommends MaxBuilds = 1 so that a VM a job may have compromised handles one job only.",
		Fix:   "[runners.machine] MaxBuilds = 1; migrate to docker-autoscaler"}
}

func (r dockerMachineVMReuse) check(s *scope) []Finding {
	if s.r == nil || s.r.Executor != "docker+machine" || s.facts.Ephemeral {
		return nil
	}
	sev := Low
	if s.facts.DockerAPIExposed {
		sev = High
	}
	n := 0
	if s.r.Machine != nil {
		n = s.r.Machine.MaxBuilds
	}
	msg := "MaxBuilds is unset: each VM takes jobs until it is removed"
	if n > 1 {
		msg = "MaxBuilds = " + itoa(n) + ": each VM runs up to " + itoa(n) + " jobs"
	}
	if sev == High {
		msg += ", with privileged containers or a runtime socket"
	}
	return []Finding{s.finding(r.Meta(), sev, ConfidenceHigh, "machine.MaxBuilds", msg)}
}

// JR023
type autoscalerInstanceReuse struct{}

func (autoscalerInstanceReuse) Meta() Meta {
	return Meta{Code: "JR023", Slug: "autoscaler-instance-reuse", Severity: High,
		Title: "Fleeting instances shared by several jobs",
		Help:  "Only capacity_per_instance = 1 and max_use_count = 1 give each job an ephemeral instance; otherwise there is little isolation between jobs.",
		Fix:   "capacity_per_instance = 1 and max_use_count = 1, or [runners.autoscaler.vm_isolation] enabled = true"}
}

func (r autoscalerInstanceReuse) check(s *scope) []Finding {
	if s.r == nil || (s.r.Executor != "docker-autoscaler" && s.r.Executor != "instance") || s.facts.Ephemeral {
		return nil
	}
	a := s.r.Autoscaler
	if a != nil && a.VMIsolation != nil && a.VMIsolation.Enabled {
		return nil
	}
	sev := Low
	switch {
	case s.r.Executor == "docker-autoscaler" && s.facts.DockerAPIExposed:
		sev = High
	case s.r.Executor == "instance":
		sev = Medium
	}
	key, msg := "autoscaler.max_use_count", "max_use_count is unset: instances are reused for later jobs"
	switch {
	case a == nil:
		key, msg = "autoscaler", "no [runners.autoscaler] limits: instances are reused for later jobs"
	case capacity(a) > 1:
		key, msg = "autoscaler.capacity_per_instance", "capacity_per_instance = "+itoa(a.CapacityPerInstance)+": several jobs share one instance"
	case a.MaxUseCount > 1:
		msg = "max_use_count = " + itoa(a.MaxUseCount) + ": each instance runs several jobs one after another"
	}
	return []Finding{s.finding(r.Meta(), sev, ConfidenceHigh, key, msg)}
}
