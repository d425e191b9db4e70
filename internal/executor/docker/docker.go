// Package docker is the Docker executor: it runs a job's scripts in a
// container made from the job's `image:`, next to its `services:`, by
// talking to the Docker Engine API (github.com/moby/moby/client) — never
// the docker CLI, so no variable ever sits on a command line.
//
// One job is one session: Prepare pulls what the pull policy allows,
// starts the services on a per-job network and waits for them, then
// starts the build container with the working copy bind-mounted at
// /builds/<namespace>/<project>. Each script (before_script + script,
// after_script, ...) runs in that same container as a new shell process
// created through the exec API, with the job's environment passed in the
// API request and the script text sent through the exec's stdin into a
// 0600 file (file-type variables are copied in through the archive API).
// Everything a session creates carries jobrun's labels and is removed by
// Cleanup; RemoveLeftovers removes what a crashed run left behind.
//
// The image needs sh (bash is used when present), cat and mkdir, as
// with GitLab Runner. Spec.TTY is ignored: output always comes through
// pipes, with stderr joined to stdout.
package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/jobrun/jobrun/internal/executor"
)

// Pull policies, as GitLab names them.
const (
	PullAlways       = "always"
	PullIfNotPresent = "if-not-present"
	PullNever        = "never"
)

// Defaults of Options.
const (
	DefaultServiceTimeout = 30 * time.Second
	DefaultPullPolicy     = PullIfNotPresent
)

// Options are the Docker executor's settings; the exec and run commands
// fill them from --docker-host, --pull-policy, --privileged, --volume and
// --network (and the matching jobrun.yaml keys).
type Options struct {
	// Host is the engine's address (--docker-host); empty means
	// DOCKER_HOST, or the local socket.
	Host string
	// PullPolicy applies when the job's image names none; empty means
	// if-not-present.
	PullPolicy string
	// Privileged runs the build container and the services privileged.
	// Never on by default: it gives the job root on this host.
	Privileged bool
	// Volumes are extra mounts: "HOST:CONTAINER[:ro|rw]" binds a host
	// path, a bare "/path" gets a fresh volume that is removed with the
	// job.
	Volumes []string
	// Network is the network mode of the build container and services
	// ("host", "none", or an existing network); empty means a new
	// per-job network when the job has services, else Docker's default.
	Network string
	// ServiceTimeout bounds the wait for each service to accept TCP
	// connections; 0 means DefaultServiceTimeout.
	ServiceTimeout time.Duration
	// Grace is the time between asking a script to stop (SIGTERM) and
	// killing it; 0 means executor.DefaultGrace.
	Grace time.Duration
	// Warnings receives the executor's warnings about its own settings
	// (--privileged); nil discards them.
	Warnings io.Writer
}

// PrivilegedWarning is printed whenever --privileged is on.
const PrivilegedWarning = "WARNING: --privileged is on: privileged containers give every job root on this host.\n" +
	"WARNING: a job can then read the memory, files and CI_JOB_TOKEN of any other job running here.\n" +
	"WARNING: use it only on a throw-away machine that runs nothing but trusted jobs.\n"

// ErrNoEngine is returned (wrapped) by New when no Docker engine answers.
var ErrNoEngine = errors.New("no Docker engine answers")

// Docker is the Docker executor. One Docker serves many jobs at once.
type Docker struct {
	api  *client.Client
	opts Options
	// pid is the owner process written into LabelOwner; 0 means this
	// process.
	pid int
}

var _ executor.Executor = (*Docker)(nil)

// New connects to the engine named by opts.Host or the DOCKER_HOST,
// DOCKER_CERT_PATH and DOCKER_TLS_VERIFY environment, negotiating the API
// version down to what the engine speaks (1.41 for Debian's 20.10), and
// checks that the engine answers.
func New(ctx context.Context, opts Options) (*Docker, error) {
	clientOpts := []client.Opt{client.FromEnv, client.WithAPIVersionNegotiation()}
	if opts.Host != "" {
		clientOpts = append(clientOpts, client.WithHost(opts.Host))
	}
	api, err := client.New(clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoEngine, err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := api.Ping(pingCtx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		host := api.DaemonHost()
		_ = api.Close()
		return nil, fmt.Errorf("%w at %s (%v): start it (`sudo systemctl start docker`, or `sudo dockerd`), "+
			"or point DOCKER_HOST or --docker-host at a running engine", ErrNoEngine, host, err)
	}
	if err := opts.Validate(); err != nil {
		_ = api.Close()
		return nil, err
	}
	if opts.Privileged && opts.Warnings != nil {
		_, _ = io.WriteString(opts.Warnings, PrivilegedWarning)
	}
	return &Docker{api: api, opts: opts}, nil
}

// Validate checks the options a user gave (--pull-policy, --volume) so
// that a mistake is reported before any job starts.
func (o Options) Validate() error {
	if err := validPullPolicy(o.PullPolicy); err != nil {
		return err
	}
	for _, v := range o.Volumes {
		if _, _, err := parseVolume(v); err != nil {
			return err
		}
	}
	return nil
}

// Close releases the connection to the engine.
func (d *Docker) Close() error { return d.api.Close() }

// Name implements executor.Executor.
func (d *Docker) Name() string { return "docker" }

func (d *Docker) grace() time.Duration {
	if d.opts.Grace > 0 {
		return d.opts.Grace
	}
	return executor.DefaultGrace
}

func (d *Docker) serviceTimeout() time.Duration {
	if d.opts.ServiceTimeout > 0 {
		return d.opts.ServiceTimeout
	}
	return DefaultServiceTimeout
}

// localEngine reports whether the engine listens on a local socket, so
// that its bridge networks are reachable from this host.
func (d *Docker) localEngine() bool {
	return strings.HasPrefix(d.api.DaemonHost(), "unix://")
}

// owner is the value of LabelOwner for this process's objects.
func (d *Docker) owner() string {
	host, _ := os.Hostname()
	pid := d.pid
	if pid == 0 {
		pid = os.Getpid()
	}
	return host + ":" + strconv.Itoa(pid)
}
