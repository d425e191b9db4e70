package lint

import (
	"net"
	"strings"

	"github.com/jobrun/jobrun/internal/runnerconfig"
)

// wildcardListen reports whether a host:port listens on every interface
// (":8093", "0.0.0.0:8093", "[::]:8093").
func wildcardListen(addr string) bool {
	if addr == "" {
		return false
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = strings.Trim(addr, "[]")
	}
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		return true
	}
	return false
}

// JR001
type sessionServerExposed struct{}

func (sessionServerExposed) Meta() Meta {
	return Meta{Code: "JR001", Slug: "session-server-exposed", Severity: High,
		Title: "Interactive web-terminal server listens on all interfaces",
		Help:  "The session server opens a wss endpoint on the runner host; on a shell executor the web terminal is a shell on the host, and session_timeout keeps jobs and their tokens alive.",
		Fix:   "bind listen_address to a private interface with advertise_address and firewall it to GitLab, or delete [session_server]"}
}

func (r sessionServerExposed) check(s *scope) []Finding {
	ss := s.cfg.SessionServer
	if s.r != nil || ss == nil || !wildcardListen(ss.ListenAddress) {
		return nil
	}
	sev, conf := Medium, ConfidenceMedium
	for _, o := range s.cfg.Runners {
		if shellLike(o.Executor) {
			sev, conf = sev.raise(), ConfidenceHigh // ⇡S: the terminal is a host shell
			break
		}
	}
	return []Finding{s.finding(r.Meta(), sev, conf, "session_server.listen_address",
		"session_server.listen_address = \""+ss.ListenAddress+"\" accepts web-terminal connections on every interface")}
}

// JR002
type metricsEndpointExposed struct{}

func (metricsEndpointExposed) Meta() Meta {
	return Meta{Code: "JR002", Slug: "metrics-endpoint-exposed", Severity: Low,
		Title: "Prometheus/pprof listener on all interfaces",
		Help:  "The metrics server exports the runner's internal state and /debug/pprof/ and \"should not be publicly available\".",
		Fix:   "listen_address = \"127.0.0.1:9252\", or restrict it with a network policy"}
}

func (r metricsEndpointExposed) check(s *scope) []Finding {
	if s.r != nil || !wildcardListen(s.cfg.ListenAddress) {
		return nil
	}
	return []Finding{s.finding(r.Meta(), Low, ConfidenceHigh, "listen_address",
		"listen_address = \""+s.cfg.ListenAddress+"\" serves metrics and pprof on every interface")}
}

// JR004
type concurrentJobsSharedHost struct{}

func (concurrentJobsSharedHost) Meta() Meta {
	return Meta{Code: "JR004", Slug: "concurrent-jobs-shared-host", Severity: Medium,
		Title: "Several jobs run at once on a non-isolating host",
		Help:  "Jobs that run at the same time on one host can read each other's processes, files and tokens.",
		Fix:   "concurrent = 1 (or limit = 1) for this runner, or move it to an ephemeral executor"}
}

func (r concurrentJobsSharedHost) check(s *scope) []Finding {
	if s.r == nil || s.facts.Concurrency <= 1 {
		return nil
	}
	var why string
	switch {
	case shellLike(s.r.Executor):
		why = s.r.Executor + " executor"
	case s.r.Executor == "instance" && s.r.Autoscaler != nil && capacity(s.r.Autoscaler) > 1:
		why = "instance executor with capacity_per_instance > 1"
	case (s.r.Executor == "docker" || s.r.Executor == "docker-windows") && dockerBreaksIsolation(s.r):
		// docker+machine and docker-autoscaler spread jobs over VMs: JR022/JR023.
		why = "docker executor with privileged, a runtime socket or a host namespace"
	default:
		return nil
	}
	return []Finding{s.finding(r.Meta(), Medium, ConfidenceHigh, "/concurrent",
		"up to "+itoa(s.facts.Concurrency)+" jobs run at once on one host ("+why+")")}
}

// dockerBreaksIsolation: privileged, a runtime socket, or the host's PID
// or network namespace.
func dockerBreaksIsolation(r *runnerconfig.Runner) bool {
	d := dockerOf(r)
	return d != nil && (d.Privileged || len(socketMounts(d.Volumes)) > 0 || d.PidMode == "host" || d.NetworkMode == "host")
}
