package convergence

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/engine"
)

// Observed is one snapshot of what the engine has for a project. The planner
// reads only this, so a plan is a pure function of (project, snapshot).
type Observed struct {
	Project string
	// Containers of the project (any service, oneoff ones included),
	// sorted by name.
	Containers []engine.Container
	// Networks and Volumes by engine name. They are listed whole, not by
	// project label: external ones and same-named ones made by hand must be
	// seen too, or berth would create a duplicate network.
	Networks map[string]engine.Network
	Volumes  map[string]engine.Volume
}

// Observe takes the snapshot: three list calls, made at once.
func Observe(ctx context.Context, r engine.Reader, project string) (*Observed, error) {
	o := &Observed{Project: project, Networks: map[string]engine.Network{}, Volumes: map[string]engine.Volume{}}
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		o.Containers, err = r.ListContainers(ctx, engine.Filter{Labels: []string{LabelProject + "=" + project}})
		return wrapObserve("containers", err)
	})
	g.Go(func() error {
		nets, err := r.ListNetworks(ctx, engine.Filter{})
		for _, n := range nets {
			o.Networks[n.Name] = n
		}
		return wrapObserve("networks", err)
	})
	g.Go(func() error {
		vols, err := r.ListVolumes(ctx, engine.Filter{})
		for _, v := range vols {
			o.Volumes[v.Name] = v
		}
		return wrapObserve("volumes", err)
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	sort.Slice(o.Containers, func(i, j int) bool { return o.Containers[i].Name < o.Containers[j].Name })
	return o, nil
}

func wrapObserve(what string, err error) error {
	if err != nil {
		return fmt.Errorf("listing %s: %w", what, err)
	}
	return nil
}

// ServiceContainers returns the service's non-oneoff containers by number.
func (o *Observed) ServiceContainers(service string) map[int]engine.Container {
	out := map[int]engine.Container{}
	for _, c := range o.Containers {
		if c.Labels[LabelService] != service || c.Labels[LabelOneoff] == "True" {
			continue
		}
		n, err := strconv.Atoi(c.Labels[LabelContainerNumber])
		if err != nil {
			continue // not numbered by compose rules: not ours to converge
		}
		out[n] = c
	}
	return out
}
