package lint

import (
	"slices"
	"strings"
)

// JR037
type hostNamespaceSharing struct{}

func (hostNamespaceSharing) Meta() Meta {
	return Meta{Code: "JR037", Slug: "host-namespace-sharing", Severity: High,
		Title: "Job shares a host namespace",
		Help:  "Sharing the host's network or PID namespace is a breach of isolation comparable to privileged mode: jobs reach host daemons, other processes' environments and the session server.",
		Fix:   "remove it; use FF_NETWORK_PER_BUILD for service networking"}
}

func (r hostNamespaceSharing) check(s *scope) []Finding {
	d := dockerOf(s.rOrNil())
	if d == nil {
		return nil
	}
	var out []Finding
	for _, ns := range []struct {
		key, value      string
		host, container Severity
		allowsContainer bool
	}{
		{"network_mode", d.NetworkMode, High, Medium, true},
		{"pid_mode", d.PidMode, High, Medium, true},
		{"ipcmode", d.IpcMode, Medium, Medium, false},
		{"userns_mode", d.UsernsMode, Medium, Medium, false},
	} {
		v := strings.ToLower(ns.value)
		var sev Severity
		switch {
		case v == "host":
			sev = ns.host
		case ns.allowsContainer && strings.HasPrefix(v, "container:"):
			sev = ns.container
		default:
			continue
		}
		out = append(out, s.finding(r.Meta(), sev, ConfidenceHigh, "docker."+ns.key,
			ns.key+" = \""+ns.value+"\" shares that namespace with the job"))
	}
	return out
}

// JR039
type imageAllowlistMissing struct{}

func (imageAllowlistMissing) Meta() Meta {
	return Meta{Code: "JR039", Slug: "image-allowlist-missing", Severity: Medium,
		Title: "Any image or service may be requested by .gitlab-ci.yml",
		Help:  "Without allowed_images / allowed_services every image is allowed (\"**\"), so a pipeline chooses what runs next to the runner's settings.",
		Fix:   "allowed_images = [\"registry.example.com/ci/*:*\"] and allowed_services likewise"}
}

func (r imageAllowlistMissing) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var table string
	var images, services []string
	if d := dockerOf(s.r); d != nil {
		table, images, services = "docker", d.AllowedImages, d.AllowedServices
	} else if k := kubernetesOf(s.r); k != nil {
		table, images, services = "kubernetes", k.AllowedImages, k.AllowedServices
	} else {
		return nil
	}
	var missing []string
	if allowsAll(images) {
		missing = append(missing, "allowed_images")
	}
	if allowsAll(services) {
		missing = append(missing, "allowed_services")
	}
	if len(missing) == 0 {
		return nil
	}
	sev := Low
	if s.facts.DockerAPIExposed || kubernetesPrivileged(s.r) || mountsSensitiveHostPath(s.r) {
		sev = Medium // with JR030–JR033 a chosen image is a host takeover
	}
	return []Finding{s.finding(r.Meta(), sev, ConfidenceHigh, table+"."+missing[0],
		strings.Join(missing, " and ")+" unset: pipelines may run any image")}
}

// JR040
type pullPolicyIfNotPresent struct{}

func (pullPolicyIfNotPresent) Meta() Meta {
	return Meta{Code: "JR040", Slug: "pull-policy-if-not-present", Severity: Medium,
		Title: "Locally cached private images reusable without credentials",
		Help:  "With if-not-present a job of another project can run a private image cached on the host without having the credentials to pull it.",
		Fix:   "pull_policy = \"always\" (or \"never\" with curated images) on runners that serve several projects"}
}

func (r pullPolicyIfNotPresent) check(s *scope) []Finding {
	if s.r == nil {
		return nil
	}
	var table string
	var policy, allowed []string
	if d := dockerOf(s.r); d != nil {
		table, policy, allowed = "docker", d.PullPolicy, d.AllowedPullPolicies
	} else if k := kubernetesOf(s.r); k != nil {
		table, policy, allowed = "kubernetes", k.PullPolicy, k.AllowedPullPolicies
	} else {
		return nil
	}
	switch {
	case slices.Contains(policy, "if-not-present"):
		return []Finding{s.finding(r.Meta(), Medium, ConfidenceLow, table+".pull_policy",
			"pull_policy includes \"if-not-present\": cached private images are reusable by other projects")}
	case slices.Contains(allowed, "if-not-present"):
		return []Finding{s.finding(r.Meta(), Medium, ConfidenceLow, table+".allowed_pull_policies",
			"allowed_pull_policies includes \"if-not-present\": a job can opt into reusing cached private images")}
	}
	return nil
}

// JR041
type dockerAPIOverTCPWithoutTLS struct{}

func (dockerAPIOverTCPWithoutTLS) Meta() Meta {
	return Meta{Code: "JR041", Slug: "docker-api-over-tcp-without-tls", Severity: High,
		Title: "Runner talks to the Docker daemon over unauthenticated TCP",
		Help:  "An open Docker API is root on that daemon for anyone who can reach the port, jobs included.",
		Fix:   "tls_verify = true with tls_cert_path, or a unix socket / SSH"}
}

func (r dockerAPIOverTCPWithoutTLS) check(s *scope) []Finding {
	d := dockerOf(s.rOrNil())
	if d == nil || !strings.HasPrefix(strings.ToLower(d.Host), "tcp://") || (d.TLSVerify && d.TLSCertPath != "") {
		return nil
	}
	what := "tls_verify is off"
	if d.TLSVerify {
		what = "tls_cert_path is empty"
	}
	return []Finding{s.finding(r.Meta(), High, ConfidenceHigh, "docker.host",
		"host = \""+d.Host+"\" and "+what+": the Docker API is reachable without authentication")}
}
