package engine

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"
)

// ListContainers lists containers, stopped ones included, that match f,
// sorted by name.
func (c *Client) ListContainers(ctx context.Context, f Filter) ([]Container, error) {
	res, err := c.api.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: apiFilters(f)})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	out := make([]Container, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, containerFromAPI(s))
	}
	slices.SortFunc(out, func(a, b Container) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// ListNetworks lists networks that match f, sorted by name.
func (c *Client) ListNetworks(ctx context.Context, f Filter) ([]Network, error) {
	res, err := c.api.NetworkList(ctx, client.NetworkListOptions{Filters: apiFilters(f)})
	if err != nil {
		return nil, fmt.Errorf("listing networks: %w", err)
	}
	out := make([]Network, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, networkFromAPI(s.Network))
	}
	slices.SortFunc(out, func(a, b Network) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// ListVolumes lists volumes that match f, sorted by name.
func (c *Client) ListVolumes(ctx context.Context, f Filter) ([]Volume, error) {
	res, err := c.api.VolumeList(ctx, client.VolumeListOptions{Filters: apiFilters(f)})
	if err != nil {
		return nil, fmt.Errorf("listing volumes: %w", err)
	}
	out := make([]Volume, 0, len(res.Items))
	for _, v := range res.Items {
		out = append(out, volumeFromAPI(v))
	}
	slices.SortFunc(out, func(a, b Volume) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

func apiFilters(f Filter) client.Filters {
	args := client.Filters{}
	if len(f.Labels) > 0 {
		args.Add("label", f.Labels...)
	}
	return args
}

func containerFromAPI(s container.Summary) Container {
	c := Container{
		ID:      s.ID,
		Name:    canonicalName(s.Names),
		Image:   s.Image,
		ImageID: s.ImageID,
		State:   ContainerState(s.State),
		Status:  s.Status,
		Created: time.Unix(s.Created, 0),
		Labels:  s.Labels,
		Mounts:  mountsFromAPI(s.Mounts),
		Command: s.Command,
		Ports:   portsFromAPI(s.Ports),
	}
	if s.NetworkSettings != nil {
		c.Networks = sortedKeys(s.NetworkSettings.Networks)
	}
	return c
}

// mountsFromAPI converts mounts, sorted by destination: the engine lists
// them in no particular order.
func mountsFromAPI(ms []container.MountPoint) []Mount {
	var out []Mount
	for _, m := range ms {
		out = append(out, Mount{Type: string(m.Type), Name: m.Name, Source: m.Source, Destination: m.Destination})
	}
	slices.SortFunc(out, func(a, b Mount) int { return cmp.Compare(a.Destination, b.Destination) })
	return out
}

func portsFromAPI(ps []container.PortSummary) []Port {
	var out []Port
	for _, p := range ps {
		port := Port{Private: p.PrivatePort, Public: p.PublicPort, Protocol: p.Type}
		if p.IP.IsValid() {
			port.HostIP = p.IP.String()
		}
		out = append(out, port)
	}
	return out
}

// sortedKeys returns m's keys in order, nil for an empty map.
func sortedKeys[V any](m map[string]V) []string {
	if len(m) == 0 {
		return nil
	}
	return slices.Sorted(maps.Keys(m))
}

// canonicalName picks the container's own name. Legacy links give a
// container extra names such as "/other/alias"; its own is the one with no
// slash after the leading one.
func canonicalName(names []string) string {
	for _, n := range names {
		if strings.LastIndex(n, "/") == 0 {
			return n[1:]
		}
	}
	if len(names) == 0 {
		return ""
	}
	return strings.TrimPrefix(names[0], "/")
}

func networkFromAPI(s network.Network) Network {
	return Network{
		ID:         s.ID,
		Name:       s.Name,
		Driver:     s.Driver,
		Scope:      s.Scope,
		Internal:   s.Internal,
		Attachable: s.Attachable,
		Labels:     s.Labels,
	}
}

func volumeFromAPI(v volume.Volume) Volume {
	return Volume{
		Name:       v.Name,
		Driver:     v.Driver,
		Scope:      v.Scope,
		Mountpoint: v.Mountpoint,
		Options:    v.Options,
		Labels:     v.Labels,
	}
}
