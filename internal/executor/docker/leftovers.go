package docker

import (
	"context"
	"errors"
	"fmt"

	"github.com/moby/moby/client"
)

// Leftovers counts what RemoveLeftovers removed.
type Leftovers struct {
	Containers, Networks, Volumes int
}

// RemoveLeftovers removes every container, network and volume carrying
// jobrun's managed label — what a crashed or killed run left behind.
// Run it only when no other jobrun process is running jobs on this
// engine: their objects carry the same label.
func (d *Docker) RemoveLeftovers(ctx context.Context) (Leftovers, error) {
	return d.removeLabelled(ctx, LabelManaged+"=true")
}

// removeLabelled removes the containers (first: they hold the networks
// and volumes), networks and volumes that carry label ("key=value").
func (d *Docker) removeLabelled(ctx context.Context, label string) (Leftovers, error) {
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
		if _, err := d.api.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
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
		if _, err := d.api.NetworkRemove(ctx, n.ID, client.NetworkRemoveOptions{}); err != nil {
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
		if _, err := d.api.VolumeRemove(ctx, v.Name, client.VolumeRemoveOptions{Force: true}); err != nil {
			errs = append(errs, fmt.Errorf("removing volume %s: %w", v.Name, err))
			continue
		}
		left.Volumes++
	}
	return left, errors.Join(errs...)
}
