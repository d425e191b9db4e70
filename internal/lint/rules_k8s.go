package lint

import (
	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// securityContextRef is one of the Kubernetes executor's security contexts.
type securityContextRef struct {
	key               string
	ctx               *runnerconfig.SecurityContext
	seccomp, apparmor *runnerconfig.Profile
}

// kubernetesContexts lists the security contexts that are set.
func kubernetesContexts(k *runnerconfig.Kubernetes) []securityContextRef {
	var out []securityContextRef
	for _, c := range []struct {
		key string
		ctx *runnerconfig.SecurityContext
	}{
		{"pod_security_context", k.PodSecurityContext},
		{"build_container_security_context", k.BuildSecurityContext},
		{"helper_container_security_context", k.HelperSecurityContext},
		{"service_container_security_context", k.ServiceSecurityContext},
	} {
		if c.ctx != nil {
			out = append(out, securityContextRef{c.key, c.ctx, c.ctx.SeccompProfile, c.ctx.AppArmorProfile})
		}
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

// kubernetesPrivileged: build or service pods run privileged.
func kubernetesPrivileged(r *runnerconfig.Runner) bool {
	k := kubernetesOf(r)
	if k == nil {
		return false
	}
	if isTrue(k.Privileged) {
		return true
	}
	for _, c := range kubernetesContexts(k) {
		if isTrue(c.ctx.Privileged) {
			return true
		}
	}
	return false
}

// JR050
type k8sPrivilegedOrEscalation struct{}

func (k8sPrivilegedOrEscalation) Meta() Meta {
	return Meta{Code: "JR050", Slug: "k8s-privileged-or-escalation", Severity: High,
		Title: "Build pods privileged or allow privilege escalation",
		Help:  "A privileged build pod exposes the node's kernel and, through it, every pod on the node.",
		Fix:   "rootless builders; allow_privilege_escalation = false"}
}

func (r k8sPrivilegedOrEscalation) check(s *scope) []Finding {
	k := kubernetesOf(s.rOrNil())
	if k == nil {
		return nil
	}
	var out []Finding
	if isTrue(k.Privileged) {
		out = append(out, s.finding(r.Meta(), High, ConfidenceHigh, "kubernetes.privileged",
			"privileged = true: job pods run privileged on the node"))
	}
	if isTrue(k.AllowPrivilegeEscalation) {
		out = append(out, s.finding(r.Meta(), Medium, ConfidenceHigh, "kubernetes.allow_privilege_escalation",
			"allow_privilege_escalation = true"))
	}
	for _, c := range kubernetesContexts(k) {
		if isTrue(c.ctx.Privileged) {
			f := s.finding(r.Meta(), High, ConfidenceHigh, "kubernetes."+c.key+".privileged", c.key+".privileged = true")
			f.Detail = c.key
			out = append(out, f)
		}
		if isTrue(c.ctx.AllowPrivilegeEscalation) {
			f := s.finding(r.Meta(), Medium, ConfidenceHigh, "kubernetes."+c.key+".allow_privilege_escalation", c.key+".allow_privilege_escalation = true")
			f.Detail = c.key
			out = append(out, f)
		}
	}
	return out
}

// JR051
type k8sHostPathVolume struct{}

func (k8sHostPathVolume) Meta() Meta {
	return Meta{Code: "JR051", Slug: "k8s-host-path-volume", Severity: High,
		Title: "Node filesystem mounted into jobs",
		Help:  "A host_path volume exposes the node's files; a writable one persists between jobs on the node, so one job can poison the next.",
		Fix:   "use emptyDir, a PVC per build, or read_only = true"}
}

func (r k8sHostPathVolume) check(s *scope) []Finding {
	k := kubernetesOf(s.rOrNil())
	if k == nil || k.Volumes == nil {
		return nil
	}
	var out []Finding
	for i, hp := range k.Volumes.HostPath {
		p := hostPathOf(hp.HostPath, hp.MountPath)
		var sev Severity
		var msg string
		switch {
		case isRuntimeSocket(p):
			continue // JR032
		case sensitiveHostPath(p):
			sev, msg = High, "host_path mounts the node's "+p+" into job pods"
			if hp.ReadOnly {
				sev, msg = Medium, msg+" (read-only)"
			}
		case !hp.ReadOnly:
			sev, msg = Medium, "host_path "+p+" is writable and persists between jobs on the node"
		default:
			continue
		}
		f := s.finding(r.Meta(), sev, ConfidenceHigh, "kubernetes.volumes.host_path."+itoa(i)+".host_path", msg)
		f.Key, f.Detail = "runners.kubernetes.volumes.host_path.host_path", p
		out = append(out, f)
	}
	return out
}

// JR052
type k8sOverwriteAllowed struct{}

func (k8sOverwriteAllowed) Meta() Meta {
	return Meta{Code: "JR052", Slug: "k8s-overwrite-allowed", Severity: High,
		Title: ".gitlab-ci.yml may pick credentials or placement",
		Help:  "Overwrite switches let a pipeline choose the bearer token, service account, namespace or node of its pod.",
		Fix:   "leave the *_overwrite_allowed settings empty (that disables the overwrite) or anchor the regex to the allowed names"}
}

// matchesEverything: the regexes that allow any value.
func matchesEverything(re string) bool {
	switch re {
	case ".*", ".+", "^.*$", "^.+$", ".*?", "(.*)", "^(.*)$":
		return true
	}
	return false
}

func (r k8sOverwriteAllowed) check(s *scope) []Finding {
	k := kubernetesOf(s.rOrNil())
	if k == nil {
		return nil
	}
	var out []Finding
	if k.BearerTokenOverwriteAllowed {
		out = append(out, s.finding(r.Meta(), High, ConfidenceHigh, "kubernetes.bearer_token_overwrite_allowed",
			"bearer_token_overwrite_allowed = true: a pipeline can supply the Kubernetes credentials the runner uses"))
	}
	for _, o := range []struct {
		key, re string
		sev     Severity
	}{
		{"service_account_overwrite_allowed", k.ServiceAccountOverwriteAllowed, Medium},
		{"namespace_overwrite_allowed", k.NamespaceOverwriteAllowed, Medium},
		{"pod_annotations_overwrite_allowed", k.PodAnnotationsOverwriteAllowed, Low},
		{"node_selector_overwrite_allowed", k.NodeSelectorOverwriteAllowed, Low},
	} {
		if matchesEverything(o.re) {
			out = append(out, s.finding(r.Meta(), o.sev, ConfidenceHigh, "kubernetes."+o.key,
				o.key+" = \""+o.re+"\" lets any pipeline choose that value"))
		}
	}
	return out
}
