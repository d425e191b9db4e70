package exec

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/jobrun/jobrun/internal/executor"
	"github.com/jobrun/jobrun/internal/job"
)

// bridgeInterface is the Docker engine's default bridge. Containers reach
// the host at its address from the default network and, through the
// host's routing, from the per-job networks as well; the host's loopback
// they cannot reach.
const bridgeInterface = "docker0"

// bridgeListener serves the job API a second time on the Docker bridge's
// address, for the jobs that run in containers.
type bridgeListener struct {
	srv *http.Server
	url string // http://<bridge address>:<port>
}

// listenOnBridge starts serving h on the bridge's IPv4 address (random
// port). It fails when this host has no docker0 (Docker Desktop, a
// remote or rootless engine): the caller warns and Docker jobs keep the
// loopback URL they cannot reach.
func listenOnBridge(h http.Handler) (*bridgeListener, error) {
	ip, err := interfaceIPv4(bridgeInterface)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return &bridgeListener{srv: srv, url: "http://" + ln.Addr().String()}, nil
}

func (b *bridgeListener) close() {
	if b == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if b.srv.Shutdown(ctx) != nil {
		_ = b.srv.Close()
	}
}

func interfaceIPv4(name string) (net.IP, error) {
	iface, err := net.InterfaceByName(name)
	if err != nil {
		return nil, err
	}
	addrs, err := iface.Addrs()
	if err != nil {
		return nil, err
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil {
			return n.IP.To4(), nil
		}
	}
	return nil, errors.New(name + " has no IPv4 address")
}

// inContainer reports whether ex runs p in a container on a network of
// its own (with --network host the container shares the host's loopback).
func inContainer(ex executor.Executor, p *job.Payload, network string) bool {
	return ex != nil && network != "host" && executor.Pick(ex, p).Name() == "docker"
}
