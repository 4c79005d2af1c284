package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// InspectNetwork finds one network by name or id.
func (c *Client) InspectNetwork(ctx context.Context, name string) (Network, error) {
	res, err := c.api.NetworkInspect(ctx, name, client.NetworkInspectOptions{})
	if err != nil {
		return Network{}, fmt.Errorf("inspecting network %s: %w", name, err)
	}
	return networkFromAPI(res.Network.Network), nil
}

// CreateNetwork creates a network and returns its id.
func (c *Client) CreateNetwork(ctx context.Context, spec NetworkSpec) (string, error) {
	res, err := c.api.NetworkCreate(ctx, spec.Name, client.NetworkCreateOptions{
		Driver:     spec.Driver,
		Options:    spec.Options,
		Labels:     spec.Labels,
		Internal:   spec.Internal,
		Attachable: spec.Attachable,
		EnableIPv6: spec.EnableIPv6,
		IPAM:       spec.IPAM,
	})
	if err != nil {
		return "", fmt.Errorf("creating network %s: %w", spec.Name, err)
	}
	if duplicate(res.Warning) {
		return "", c.undoDuplicate(ctx, spec.Name, res.ID)
	}
	return res.ID, nil
}

// duplicate reports whether the engine created a second network of the
// same name. Engines before API 1.44 do that, with only a warning, unless
// asked not to; the moby client no longer has the field to ask with.
func duplicate(warnings []string) bool {
	for _, w := range warnings {
		if strings.Contains(w, "already exists") {
			return true
		}
	}
	return false
}

// undoDuplicate removes the network just created under a taken name and
// fails the way newer engines do. Checking after the create, not before,
// keeps two concurrent creates from both succeeding: the later one sees
// the warning.
func (c *Client) undoDuplicate(ctx context.Context, name, id string) error {
	err := fmt.Errorf("creating network %s: %w", name, ErrConflict.WithMessage("a network named "+name+" already exists"))
	if _, rmErr := c.api.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); rmErr != nil {
		return errors.Join(err, fmt.Errorf("removing the duplicate network %s (%s): %w", name, id, rmErr))
	}
	return err
}

// RemoveNetwork removes a network by name or id. A network that
// containers still use is a conflict, as a volume in use is.
func (c *Client) RemoveNetwork(ctx context.Context, id string) error {
	if _, err := c.api.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err != nil {
		return fmt.Errorf("removing network %s: %w", id, networkInUse(err))
	}
	return nil
}

// networkInUse reclassifies the engine's "has active endpoints", which it
// sends as 403 Forbidden, as a conflict, so callers test every "still in
// use" with IsConflict.
func networkInUse(err error) error {
	if cerrdefs.IsPermissionDenied(err) && strings.Contains(err.Error(), "active endpoints") {
		return classified{err: err, kind: ErrConflict}
	}
	return err
}

// ConnectNetwork attaches a container to one more network.
func (c *Client) ConnectNetwork(ctx context.Context, network, container string, ep EndpointSpec) error {
	_, err := c.api.NetworkConnect(ctx, network, client.NetworkConnectOptions{Container: container, EndpointConfig: &ep})
	if err != nil {
		return fmt.Errorf("connecting container %s to network %s: %w", container, network, err)
	}
	return nil
}

// DisconnectNetwork detaches a container from a network.
func (c *Client) DisconnectNetwork(ctx context.Context, network, container string) error {
	_, err := c.api.NetworkDisconnect(ctx, network, client.NetworkDisconnectOptions{Container: container, Force: true})
	if err != nil {
		return fmt.Errorf("disconnecting container %s from network %s: %w", container, network, err)
	}
	return nil
}
