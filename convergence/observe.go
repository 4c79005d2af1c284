package convergence

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

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
	// Images maps image references to the ids the engine holds, as
	// ObserveImages found them; a reference it lacks is absent. Nil when
	// images were not observed: the planner then plans no pulls and
	// detects no image change (commands that create nothing).
	Images map[string]string
	// ImagesPulledAt is, for the image references whose services refresh
	// them (pull_policy daily, weekly, every_<duration>), when each was
	// last pulled; a reference it lacks has no pull on record.
	ImagesPulledAt map[string]time.Time
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

// ServiceContainers returns the service's non-oneoff containers by number,
// one each. An interrupted recreate can leave two with one number (the old
// one and its successor under a temporary name, see IsTemporaryName): the
// one under its final name wins, else the newest. LeftoverContainers names
// the others.
func (o *Observed) ServiceContainers(service string) map[int]engine.Container {
	out := map[int]engine.Container{}
	for n, cs := range o.numbered(service) {
		out[n] = cs[0]
	}
	return out
}

// LeftoverContainers lists, sorted by name, the service's containers that
// ServiceContainers passed over: successors of an interrupted recreate
// whose original still exists, or spares of the same number.
func (o *Observed) LeftoverContainers(service string) []engine.Container {
	var out []engine.Container
	for _, cs := range o.numbered(service) {
		out = append(out, cs[1:]...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// AllServiceContainers is every non-oneoff container of the service, the
// leftovers included, sorted by name: what a teardown must remove.
func (o *Observed) AllServiceContainers(service string) []engine.Container {
	var out []engine.Container
	for _, c := range o.Containers {
		if c.Labels[LabelService] == service && c.Labels[LabelOneoff] != "True" {
			out = append(out, c)
		}
	}
	return out
}

// OneoffContainers is every one-off (`run`) container of the service,
// sorted by name: down removes them with the rest, as docker compose does.
func (o *Observed) OneoffContainers(service string) []engine.Container {
	var out []engine.Container
	for _, c := range o.Containers {
		if c.Labels[LabelService] == service && c.Labels[LabelOneoff] == "True" {
			out = append(out, c)
		}
	}
	return out
}

// numbered groups the service's containers by number, the preferred one
// of each number first.
func (o *Observed) numbered(service string) map[int][]engine.Container {
	out := map[int][]engine.Container{}
	for _, c := range o.AllServiceContainers(service) {
		n, err := strconv.Atoi(c.Labels[LabelContainerNumber])
		if err != nil {
			continue // not numbered by compose rules: not ours to converge
		}
		out[n] = append(out[n], c)
	}
	for _, cs := range out {
		sort.SliceStable(cs, func(i, j int) bool { return preferred(cs[i], cs[j]) })
	}
	return out
}

// preferred orders two containers of one number: final name first, then
// the newer one (a successor carries the newer configuration), then by name
// so the choice never depends on list order.
func preferred(a, b engine.Container) bool {
	if ta, tb := IsTemporaryName(a.Name), IsTemporaryName(b.Name); ta != tb {
		return !ta
	}
	if !a.Created.Equal(b.Created) {
		return a.Created.After(b.Created)
	}
	return a.Name < b.Name
}

// IsTemporaryName reports whether name is the one a recreate gives the
// successor until the old container is gone: 12 hex digits, "_", then the
// final name. docker compose uses the same form, so either tool can finish
// what the other left.
func IsTemporaryName(name string) bool {
	prefix, rest, ok := strings.Cut(name, "_")
	return ok && rest != "" && len(prefix) == 12 && isHex(prefix)
}

func isHex(s string) bool {
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
