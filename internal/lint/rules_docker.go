package lint

import (
	"path"
	"strings"
)

// privilegedSeverity applies the context modifiers to a privileged
// finding: ⇣E lowers it on a per-job ephemeral host; a shared host makes
// it certain.
func privilegedSeverity(s *scope, base Severity) (Severity, Confidence) {
	switch {
	case s.facts.Ephemeral:
		return base.lower(), ConfidenceMedium
	case s.facts.SharedHost:
		return base, ConfidenceHigh
	}
	return base, ConfidenceMedium
}

// JR030
type dockerPrivileged struct{}

func (dockerPrivileged) Meta() Meta {
	return Meta{Code: "JR030", Slug: "docker-privileged", Severity: High,
		Title: "Job and service containers run privileged",
		Help:  "A privileged container has all root capabilities of the host: a job can break out and read every other job's token.",
		Fix:   "build images with Kaniko, Buildah or rootless BuildKit; or run privileged only on ephemeral VMs (MaxBuilds = 1 / max_use_count = 1) behind a protected-only runner"}
}

func (r dockerPrivileged) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	d := dockerOf(s.r)
	if d == nil || !d.Privileged {
		return nil
	}
	sev, conf := privilegedSeverity(s, High)
	msg := "privileged = true gives every job root on the host"
	switch {
	case s.facts.Ephemeral:
		msg = "privileged = true on a per-job ephemeral host (lowered: the host dies with the job)"
	case s.facts.SharedHost:
		msg += ", which other runners' or concurrent jobs share"
	}
	return []Finding{s.finding(r.Meta(), sev, conf, "docker.privileged", msg)}
}

// JR031
type privilegedWithoutAllowlist struct{}

func (privilegedWithoutAllowlist) Meta() Meta {
	return Meta{Code: "JR031", Slug: "privileged-without-allowlist", Severity: High,
		Title: "Privileged mode not limited to vetted images",
		Help:  "Without allowed_privileged_images / allowed_privileged_services any image a pipeline names runs privileged.",
		Fix:   "privileged = false, services_privileged = true, allowed_privileged_services = [\"docker:*-dind-rootless\"]"}
}

func allowsAll(list []string) bool {
	return len(list) == 0 || (len(list) == 1 && list[0] == "**")
}

func (r privilegedWithoutAllowlist) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	d := dockerOf(s.r)
	if d == nil {
		return nil
	}
	sev, conf := privilegedSeverity(s, High)
	var out []Finding
	if d.Privileged && allowsAll(d.AllowedPrivilegedImages) {
		out = append(out, s.finding(r.Meta(), sev, conf, "docker.allowed_privileged_images",
			"privileged = true and allowed_privileged_images is unset: any job image runs privileged"))
	}
	servicesPrivileged, why := d.Privileged, "privileged = true also makes services privileged"
	if d.ServicesPrivileged != nil {
		servicesPrivileged, why = *d.ServicesPrivileged, "services_privileged = true"
	}
	if servicesPrivileged && allowsAll(d.AllowedPrivilegedServices) {
		f := s.finding(r.Meta(), sev, conf, "docker.allowed_privileged_services",
			why+" and allowed_privileged_services is unset: any service image runs privileged")
		f.Detail = "services"
		out = append(out, f)
	}
	return out
}

// runtimeSockets are host paths whose mount hands a job the container runtime.
var runtimeSockets = []string{"/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
	"/var/run/containerd/containerd.sock", "/var/run/crio/crio.sock", "/run/crio/crio.sock",
	"/run/podman/podman.sock", "/var/run/podman/podman.sock", "/var/run", "/run"}

func isRuntimeSocket(host string) bool {
	host = path.Clean(host)
	for _, s := range runtimeSockets {
		if host == s {
			return true
		}
	}
	return false
}

// bind splits a docker volume "host:container[:mode]"; ok is false for an
// anonymous volume ("/cache"), which has no host side.
func bind(v string) (host, dst, mode string, ok bool) {
	parts := strings.Split(v, ":")
	if len(parts) < 2 {
		return "", "", "", false
	}
	host, dst = parts[0], parts[1]
	if len(parts) > 2 {
		mode = parts[2]
	}
	return host, dst, mode, true
}

// socketMounts are the indices of volumes that mount a runtime socket.
func socketMounts(volumes []string) []int {
	var out []int
	for i, v := range volumes {
		if host, _, _, ok := bind(v); ok && isRuntimeSocket(host) {
			out = append(out, i)
		}
	}
	return out
}

// JR032
type runtimeSocketMount struct{}

func (runtimeSocketMount) Meta() Meta {
	return Meta{Code: "JR032", Slug: "container-runtime-socket-mount", Severity: High,
		Title: "Host container-runtime socket mounted into jobs",
		Help:  "The socket is root on the host: a job can start a privileged container, read other jobs' containers, and their tokens.",
		Fix:   "use rootless Docker-in-Docker per job, Kaniko/Buildah, or a remote builder"}
}

func (r runtimeSocketMount) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var out []Finding
	if d := dockerOf(s.r); d != nil {
		for _, i := range socketMounts(d.Volumes) {
			host, _, _, _ := bind(d.Volumes[i])
			f := s.finding(r.Meta(), High, ConfidenceHigh, "docker.volumes", "volumes mounts the host's "+host+" into every job")
			f.Detail = d.Volumes[i]
			s.elemPos(&f, "docker.volumes", i)
			out = append(out, f)
		}
	}
	if k := kubernetesOf(s.r); k != nil && k.Volumes != nil {
		for i, hp := range k.Volumes.HostPath {
			if p := hostPathOf(hp.HostPath, hp.MountPath); isRuntimeSocket(p) {
				f := s.finding(r.Meta(), High, ConfidenceHigh, "kubernetes.volumes.host_path."+itoa(i)+".host_path",
					"host_path mounts the node's "+p+" into every job pod")
				f.Key, f.Detail = "runners.kubernetes.volumes.host_path.host_path", p
				out = append(out, f)
			}
		}
	}
	return out
}

// hostPathOf: the runner mounts mount_path from the node when host_path is empty.
func hostPathOf(hostPath, mountPath string) string {
	if hostPath != "" {
		return hostPath
	}
	return mountPath
}

// osDirs are host directories whose mount exposes the host (KICS isOSDir).
var osDirs = []string{"/etc", "/root", "/home", "/var", "/usr", "/proc", "/sys", "/dev", "/boot", "/run", "/srv", "/lib", "/bin", "/sbin"}

// sensitiveHostPath reports whether host is / or below an OS directory.
func sensitiveHostPath(host string) bool {
	host = path.Clean(host)
	if host == "/" {
		return true
	}
	for _, d := range osDirs {
		if host == d || strings.HasPrefix(host, d+"/") {
			return true
		}
	}
	return false
}
