package engine

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
)

// InspectVolume finds one volume by name.
func (c *Client) InspectVolume(ctx context.Context, name string) (Volume, error) {
	res, err := c.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return Volume{}, fmt.Errorf("inspecting volume %s: %w", name, err)
	}
	return volumeFromAPI(res.Volume), nil
}

// CreateVolume creates a volume; the engine names it when spec.Name is "".
func (c *Client) CreateVolume(ctx context.Context, spec VolumeSpec) (Volume, error) {
	res, err := c.api.VolumeCreate(ctx, client.VolumeCreateOptions{
		Name:       spec.Name,
		Driver:     spec.Driver,
		DriverOpts: spec.DriverOpts,
		Labels:     spec.Labels,
	})
	if err != nil {
		return Volume{}, fmt.Errorf("creating volume %s: %w", spec.Name, err)
	}
	return volumeFromAPI(res.Volume), nil
}

// RemoveVolume removes a volume; force also ignores a missing one.
func (c *Client) RemoveVolume(ctx context.Context, name string, force bool) error {
	if _, err := c.api.VolumeRemove(ctx, name, client.VolumeRemoveOptions{Force: force}); err != nil {
		return fmt.Errorf("removing volume %s: %w", name, err)
	}
	return nil
}
