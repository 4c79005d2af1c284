package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"
)

// serviceStatusAPI is the first API version whose service list can count
// each service's running and desired tasks.
const serviceStatusAPI = "1.41"

// ListServices lists the services whose own labels match f, sorted by
// name, with their task counts (ServiceStatus) where the API has them.
func (c *Client) ListServices(ctx context.Context, f Filter) ([]swarm.Service, error) {
	res, err := c.api.ServiceList(ctx, client.ServiceListOptions{
		Filters: apiFilters(f),
		Status:  versions.GreaterThanOrEqualTo(c.APIVersion(), serviceStatusAPI),
	})
	if err != nil {
		return nil, fmt.Errorf("listing services: %w", err)
	}
	services := res.Items
	slices.SortFunc(services, func(a, b swarm.Service) int { return cmp.Compare(a.Spec.Name, b.Spec.Name) })
	return services, nil
}

// InspectService finds a service by id, name or id prefix, as stored:
// without the defaults the engine would fill in for fields left empty.
func (c *Client) InspectService(ctx context.Context, id string) (swarm.Service, error) {
	res, err := c.api.ServiceInspect(ctx, id, client.ServiceInspectOptions{})
	if err != nil {
		return swarm.Service{}, fmt.Errorf("inspecting service %s: %w", id, err)
	}
	return res.Service, nil
}

// CreateService creates a service from spec. The client library is told
// not to resolve the image's digest: berth pins digests itself, and the
// library's lookup would turn an unreachable registry into a warning and
// a spec other than the one planned. It still adds ":latest" to an image
// named with neither tag nor digest, as the engine would assume anyway.
func (c *Client) CreateService(ctx context.Context, spec swarm.ServiceSpec, auth RegistryAuth) (string, []string, error) {
	res, err := c.api.ServiceCreate(ctx, client.ServiceCreateOptions{
		Spec:                spec,
		EncodedRegistryAuth: auth.swarmHeader(),
		QueryRegistry:       false,
	})
	if err != nil {
		return "", nil, fmt.Errorf("creating service %s: %w", spec.Name, err)
	}
	return res.ID, res.Warnings, nil
}

// UpdateService replaces the spec of the service id, read at version. A
// zero auth sends no login, and the engine then keeps the one the service
// was given before. A stale version is refused (IsOutOfSequence).
func (c *Client) UpdateService(ctx context.Context, id string, version uint64, spec swarm.ServiceSpec, auth RegistryAuth) ([]string, error) {
	res, err := c.api.ServiceUpdate(ctx, id, client.ServiceUpdateOptions{
		Version:             swarm.Version{Index: version},
		Spec:                spec,
		EncodedRegistryAuth: auth.swarmHeader(),
		QueryRegistry:       false,
	})
	if err != nil {
		return nil, fmt.Errorf("updating service %s (at version %d): %w", id, version, err)
	}
	return res.Warnings, nil
}

// RemoveService removes a service; the swarm stops its tasks afterwards.
func (c *Client) RemoveService(ctx context.Context, id string) error {
	if _, err := c.api.ServiceRemove(ctx, id, client.ServiceRemoveOptions{}); err != nil {
		return fmt.Errorf("removing service %s: %w", id, err)
	}
	return nil
}
