package docker

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/moby/moby/client"
)

// Leftovers counts what RemoveLeftovers removed.
type Leftovers struct {
	Containers, Networks, Volumes int
}

// RemoveLeftovers removes the containers, networks and volumes that a
// crashed or killed jobrun left behind: those with jobrun's managed label
// whose owner process on this host is gone. Objects of a jobrun still
// running here, and of jobrun processes on other hosts sharing the
// engine (whose liveness cannot be checked from here), are kept.
func (d *Docker) RemoveLeftovers(ctx context.Context) (Leftovers, error) {
	host, _ := os.Hostname()
	return d.removeLabelled(ctx, LabelManaged+"=true", func(labels map[string]string) bool {
		return !ownerGone(labels[LabelOwner], host)
	})
}

// ownerGone reports whether owner ("<hostname>:<pid>") names a process
// of this host that no longer exists.
func ownerGone(owner, host string) bool {
	h, p, ok := strings.Cut(owner, ":")
	pid, err := strconv.Atoi(p)
	if !ok || err != nil || pid <= 0 || h != host {
		return false
	}
	return processGone(pid)
}

// gone reports an object that vanished between listing and removal:
// another jobrun (or the job's own cleanup) removed it first, which is
// what was wanted.
func gone(err error) bool { return cerrdefs.IsNotFound(err) }

// removeLabelled removes the containers (first: they hold the networks
// and volumes), networks and volumes that carry label ("key=value"),
// except those keep (when not nil) says to keep.
func (d *Docker) removeLabelled(ctx context.Context, label string, keep func(map[string]string) bool) (Leftovers, error) {
	var (
		left Leftovers
		errs []error
	)
	filter := client.Filters{}.Add("label", label)
	containers, err := d.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: filter})
	if err != nil {
		return left, fmt.Errorf("listing jobrun's containers: %w", err)
	}
	for _, c := range containers.Items {
		if keep != nil && keep(c.Labels) {
			continue
		}
		if _, err := d.api.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("removing container %s: %w", c.ID, err))
			continue
		}
		left.Containers++
	}
	networks, err := d.api.NetworkList(ctx, client.NetworkListOptions{Filters: filter})
	if err != nil {
		return left, fmt.Errorf("listing jobrun's networks: %w", err)
	}
	for _, n := range networks.Items {
		if keep != nil && keep(n.Labels) {
			continue
		}
		if _, err := d.api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("removing network %s: %w", n.Name, err))
			continue
		}
		left.Networks++
	}
	volumes, err := d.api.VolumeList(ctx, client.VolumeListOptions{Filters: filter})
	if err != nil {
		return left, fmt.Errorf("listing jobrun's volumes: %w", err)
	}
	for _, v := range volumes.Items {
		if keep != nil && keep(v.Labels) {
			continue
		}
		if _, err := d.api.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true}); err != nil && !gone(err) {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
			continue
		}
		left.Volumes++
	}
	return left, errors.Join(errs...)
}
