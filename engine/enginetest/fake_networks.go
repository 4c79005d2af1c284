package enginetest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// WithNetworks adds networks as they are, giving those without an id one.
func (f *Fake) WithNetworks(ns ...engine.Network) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, n := range ns {
		if n.ID == "" {
			n.ID = f.newID("network")
		}
		n.Labels = maps.Clone(n.Labels)
		f.networks[n.ID] = &n
	}
	return f
}

// ListNetworks lists the networks that match flt, sorted by name.
func (f *Fake) ListNetworks(ctx context.Context, flt engine.Filter) ([]engine.Network, error) {
	if err := f.begin(ctx, "ListNetworks", filterLabels(flt)); err != nil {
		return nil, err
	}
	return f.listNetworks(flt), nil
}

// Networks returns every network, sorted by name, for tests to check the
// end state: it is not recorded and never fails.
func (f *Fake) Networks() []engine.Network { return f.listNetworks(engine.Filter{}) }

func (f *Fake) listNetworks(flt engine.Filter) []engine.Network {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []engine.Network
	for _, n := range f.networks {
		all = append(all, *n)
	}
	return list(all, flt, func(n engine.Network) (string, map[string]string) { return n.Name, n.Labels },
		func(n engine.Network) engine.Network { n.Labels = maps.Clone(n.Labels); return n })
}

// InspectNetwork finds a network by name, id or id prefix.
func (f *Fake) InspectNetwork(ctx context.Context, name string) (engine.Network, error) {
	if err := f.begin(ctx, "InspectNetwork", name); err != nil {
		return engine.Network{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.network(name)
	if err != nil {
		return engine.Network{}, fmt.Errorf("inspecting network %s: %w", name, err)
	}
	n.Labels = maps.Clone(n.Labels)
	return n, nil
}

// network finds a network; the built-in ones exist even when not added.
func (f *Fake) network(ref string) (engine.Network, error) {
	if n, ok := lookup(f.networks, ref, func(n *engine.Network) string { return n.Name }); ok {
		return *n, nil
	}
	if builtinNetworks[ref] {
		return engine.Network{ID: ref, Name: ref, Driver: ref, Scope: "local"}, nil
	}
	return engine.Network{}, engine.ErrNotFound.WithMessage(fmt.Sprintf("network %s not found", ref))
}

// CreateNetwork creates a network under a name no other network has.
func (f *Fake) CreateNetwork(ctx context.Context, spec engine.NetworkSpec) (string, error) {
	if err := f.begin(ctx, "CreateNetwork", spec.Name); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.network(spec.Name); err == nil || spec.Name == "" {
		return "", fmt.Errorf("creating network %s: %w", spec.Name,
			engine.ErrConflict.WithMessage(fmt.Sprintf("a network named %q already exists", spec.Name)))
	}
	n := &engine.Network{
		ID: f.newID("network"), Name: spec.Name, Driver: orDefault(spec.Driver, "bridge"), Scope: networkScope(spec.Driver),
		Internal: spec.Internal, Attachable: spec.Attachable, Labels: maps.Clone(spec.Labels),
	}
	f.networks[n.ID] = n
	f.emit("network", "create", n.ID, map[string]string{"name": n.Name, "type": n.Driver})
	return n.ID, nil
}

// RemoveNetwork removes a network no container is attached to.
func (f *Fake) RemoveNetwork(ctx context.Context, id string) error {
	if err := f.begin(ctx, "RemoveNetwork", id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := lookup(f.networks, id, func(n *engine.Network) string { return n.Name })
	if !ok {
		return fmt.Errorf("removing network %s: %w", id, engine.ErrNotFound.WithMessage(fmt.Sprintf("network %s not found", id)))
	}
	if err := f.networkInUse(n); err != nil {
		return fmt.Errorf("removing network %s: %w", id, err)
	}
	for _, c := range f.containers {
		if slices.Contains(c.Networks, n.Name) {
			// The engine answers 403 here, not 409.
			return fmt.Errorf("removing network %s: %w", id, engine.ErrForbidden.WithMessage(
				fmt.Sprintf("error while removing network: network %s id %s has active endpoints", n.Name, n.ID)))
		}
	}
	delete(f.networks, n.ID)
	f.emit("network", "destroy", n.ID, map[string]string{"name": n.Name, "type": n.Driver})
	return nil
}

// ConnectNetwork attaches a container to a network. Unlike the engine,
// which checks only at start, it fails at once on a missing network.
// Connecting again is a no-op on a stopped container and an error (no
// conflict: the engine's 403) on a running one.
func (f *Fake) ConnectNetwork(ctx context.Context, network, container string, _ engine.EndpointSpec) error {
	if err := f.begin(ctx, "ConnectNetwork", network+" "+container); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(err error) error {
		return fmt.Errorf("connecting container %s to network %s: %w", container, network, err)
	}
	c, err := f.container("connecting", container)
	if err != nil {
		return err
	}
	n, err := f.network(network)
	if err != nil {
		return fail(err)
	}
	if slices.Contains(c.Networks, n.Name) {
		if c.running() {
			return fail(fmt.Errorf("endpoint with name %s already exists in network %s", c.Name, n.Name))
		}
		return nil
	}
	c.Networks = append(c.Networks, n.Name)
	slices.SortFunc(c.Networks, strings.Compare)
	f.emit("network", "connect", n.ID, map[string]string{"container": c.ID, "name": n.Name, "type": n.Driver})
	return nil
}

// DisconnectNetwork detaches a container from a network; like the engine,
// it fails when the container is not attached.
func (f *Fake) DisconnectNetwork(ctx context.Context, network, container string) error {
	if err := f.begin(ctx, "DisconnectNetwork", network+" "+container); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(err error) error {
		return fmt.Errorf("disconnecting container %s from network %s: %w", container, network, err)
	}
	c, err := f.container("disconnecting", container)
	if err != nil {
		return err
	}
	n, err := f.network(network)
	if err != nil {
		return fail(err)
	}
	i := slices.Index(c.Networks, n.Name)
	if i < 0 {
		return fail(engine.ErrForbidden.WithMessage(fmt.Sprintf("container %s is not connected to network %s", c.Name, n.Name)))
	}
	c.Networks = slices.Delete(c.Networks, i, i+1)
	f.emit("network", "disconnect", n.ID, map[string]string{"container": c.ID, "name": n.Name, "type": n.Driver})
	return nil
}
