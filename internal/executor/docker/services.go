package docker

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/job"
)

// service is one running service container.
type service struct {
	id, name string
	aliases  []string
	ports    []int
}

// setUpNetwork creates the job's own network when it has services and
// no --network was given: the services' aliases resolve only there.
func (s *session) setUpNetwork(ctx context.Context, hasServices bool) error {
	if s.d.opts.Network != "" || !hasServices {
		return nil
	}
	name := containerName(s.id, s.jobID, "network")
	created, err := s.d.api.NetworkCreate(ctx, name, client.NetworkCreateOptions{
		Driver: "bridge", Labels: s.labels(""),
	})
	if err != nil {
		return fmt.Errorf("creating the job's network: %w", err)
	}
	s.network = created.ID
	return nil
}

// networkMode is what the job's containers join: --network, else the
// per-job network, else Docker's default bridge.
func (s *session) networkMode() string {
	if s.d.opts.Network != "" {
		return s.d.opts.Network
	}
	if s.network != "" {
		return containerName(s.id, s.jobID, "network")
	}
	return ""
}

// userNetwork reports whether mode names a user-defined network, the
// only kind where Docker resolves aliases.
func userNetwork(mode string) bool {
	switch mode {
	case "", "default", "bridge", "host", "none":
		return false
	}
	return !strings.HasPrefix(mode, "container:")
}

// startService creates and starts one service with its aliases. Like in
// GitLab it sees the job's variables, but only the public, unmasked,
// non-file ones — a service's environment is in its configuration, which
// `docker inspect` shows — then its own `variables:`.
func (s *session) startService(ctx context.Context, index int, svc job.Service, p *job.Payload) error {
	creds := p.Credentials
	found, err := s.d.ensureImage(ctx, svc, creds)
	if err != nil {
		return fmt.Errorf("service %s: %w", svc.Name, err)
	}
	aliases := ServiceAliases(svc.Name, svc.Alias)
	cfg := &container.Config{Image: svc.Name, Labels: s.labels("service")}
	if len(svc.Entrypoint) > 0 {
		cfg.Entrypoint = svc.Entrypoint
	}
	if len(svc.Command) > 0 {
		cfg.Cmd = svc.Command
	}
	cfg.Env = serviceEnv(p.Variables, svc.Variables)
	mode := s.networkMode()
	var netCfg *network.NetworkingConfig
	if userNetwork(mode) {
		netCfg = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{mode: {Aliases: aliases}}}
	}
	created, err := s.d.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Config: cfg, NetworkingConfig: netCfg, Platform: platform(svc),
		HostConfig: &container.HostConfig{NetworkMode: container.NetworkMode(mode), Privileged: s.d.opts.Privileged},
		Name:       containerName(s.id, s.jobID, "svc-"+strconv.Itoa(index)+"-"+aliases[0]),
	})
	if err != nil {
		return fmt.Errorf("creating service %s: %w", svc.Name, err)
	}
	s.services = append(s.services, service{id: created.ID, name: svc.Name, aliases: aliases, ports: servicePorts(found, svc)})
	if _, err := s.d.api.ContainerStart(ctx, created.ID, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("starting service %s: %w", svc.Name, err)
	}
	return nil
}

// serviceEnv is a service's environment: the job's public, unmasked,
// non-file variables, then the service's own; a later key wins.
func serviceEnv(jobVars, own job.Variables) []string {
	var merged job.Variables
	for _, v := range jobVars {
		if v.Public && !v.Masked && !v.File {
			merged.Set(v)
		}
	}
	for _, v := range own {
		merged.Set(v)
	}
	env := make([]string, 0, len(merged))
	for _, v := range merged {
		env = append(env, v.Key+"="+v.Value)
	}
	return env
}

// servicePorts are the TCP ports the image exposes plus the job's
// `ports:`, sorted.
func servicePorts(img client.ImageInspectResult, svc job.Service) []int {
	set := map[int]bool{}
	if img.Config != nil {
		for p := range img.Config.ExposedPorts {
			num, proto, _ := strings.Cut(p, "/")
			if n, err := strconv.Atoi(num); err == nil && (proto == "" || proto == "tcp") {
				set[n] = true
			}
		}
	}
	for _, p := range svc.Ports {
		if p.Protocol == "" || p.Protocol == "tcp" || p.Protocol == "http" || p.Protocol == "https" {
			set[p.Number] = true
		}
	}
	out := make([]int, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Ints(out)
	return out
}

// waitForServices waits, all at once and up to the service timeout,
// until every service runs and accepts TCP connections on its ports. A
// service that does not is not fatal (as in GitLab Runner): a warning
// with its log goes into the job log, in the order of the services.
func (s *session) waitForServices(ctx context.Context) {
	errs := make([]error, len(s.services))
	var wg sync.WaitGroup
	for i, svc := range s.services {
		wg.Go(func() { errs[i] = s.waitForService(ctx, svc) })
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil {
			continue
		}
		svc := s.services[i]
		s.mu.Lock()
		fmt.Fprintf(&s.notes, "\x1b[0;33mWARNING: service %s (%s) probably didn't start properly: %v\x1b[0;m\n",
			svc.name, strings.Join(svc.aliases, ", "), err)
		s.writeServiceLog(ctx, &s.notes, svc)
		s.mu.Unlock()
	}
}

func (s *session) waitForService(ctx context.Context, svc service) error {
	deadline := time.Now().Add(s.d.serviceTimeout())
	for _, port := range append([]int{0}, svc.ports...) {
		for {
			err := s.probe(ctx, svc, port)
			if err == nil {
				break
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				return err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return nil
}

// probe checks that the service runs and, for port > 0, that it accepts
// a TCP connection on the address Docker gave it on the job's network.
func (s *session) probe(ctx context.Context, svc service, port int) error {
	res, err := s.d.api.ContainerInspect(ctx, svc.id, client.ContainerInspectOptions{})
	if err != nil {
		return err
	}
	st := res.Container.State
	if st == nil || !st.Running {
		return fmt.Errorf("the container is not running")
	}
	if port == 0 || !s.d.localEngine() {
		// An engine on another machine puts its containers' addresses
		// out of this host's reach: there, running is all we can check.
		return nil
	}
	addr, ok := serviceAddr(res.Container, s.networkMode())
	if !ok {
		return fmt.Errorf("no address on the job's network")
	}
	dialer := net.Dialer{Timeout: time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(addr.String(), strconv.Itoa(port)))
	if err != nil {
		return fmt.Errorf("no TCP connection on port %d", port)
	}
	return conn.Close()
}

// serviceAddr is the container's address on the network it joined; with
// --network host that is the loopback address.
func serviceAddr(c container.InspectResponse, mode string) (netip.Addr, bool) {
	if mode == "host" {
		return netip.MustParseAddr("127.0.0.1"), true
	}
	if c.NetworkSettings == nil {
		return netip.Addr{}, false
	}
	for name, ep := range c.NetworkSettings.Networks {
		if ep != nil && ep.IPAddress.IsValid() && (mode == "" || name == mode || ep.NetworkID == mode) {
			return ep.IPAddress, true
		}
	}
	return netip.Addr{}, false
}

// appendServiceLogs writes every service's log once, after the first
// script that failed: the usual reason is a service that misbehaved.
func (s *session) appendServiceLogs(ctx context.Context, w io.Writer) {
	s.mu.Lock()
	done := s.loggedSvcs || len(s.services) == 0
	s.loggedSvcs = true
	s.mu.Unlock()
	if done {
		return
	}
	for _, svc := range s.services {
		s.writeServiceLog(ctx, w, svc)
	}
}

// ServiceLogs writes the log of every service of the session to w. The
// runner core may call it through an interface assertion
// (interface{ ServiceLogs(context.Context, io.Writer) }) to show the
// logs on its own terms; w should be the job's masker.
func (s *session) ServiceLogs(ctx context.Context, w io.Writer) {
	for _, svc := range s.services {
		s.writeServiceLog(ctx, w, svc)
	}
}

func (s *session) writeServiceLog(ctx context.Context, w io.Writer, svc service) {
	fmt.Fprintf(w, "\x1b[36;1m--- log of service %s (%s) ---\x1b[0;m\n", svc.name, strings.Join(svc.aliases, ", "))
	logs, err := s.d.api.ContainerLogs(ctx, svc.id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: "200"})
	if err != nil {
		fmt.Fprintf(w, "(no log: %v)\n", err)
		return
	}
	defer logs.Close()
	_, _ = stdcopy.StdCopy(w, w, logs)
	fmt.Fprintf(w, "\x1b[36;1m--- end of log of service %s ---\x1b[0;m\n", svc.name)
}
