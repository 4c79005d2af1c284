package convergence

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// DownOptions are the choices of `down` (and of stop/rm, which reuse it).
type DownOptions struct {
	Services      []string // only these services' containers; empty: all
	Volumes       bool     // -v: named volumes and anonymous ones go too
	RemoveOrphans bool
	StopOnly      bool // stop: keep containers, networks and volumes
	// RemoveImages is --rmi: "all" removes every service's image, "local"
	// only those without an `image:` of their own (named after the project).
	RemoveImages string
}

// PlanDown is teardown as a plan: containers stop in reverse dependency
// order (a service stops after the services that depend on it), then go,
// then the networks (and with -v the volumes) they used.
func PlanDown(p *types.Project, g *project.Graph, o *Observed, opts DownOptions) (*Plan, error) {
	b := newBuilder()
	services := opts.Services
	if len(services) == 0 {
		services = g.Services()
	}
	for _, svc := range services {
		if _, ok := p.Services[svc]; !ok {
			return nil, fmt.Errorf("no such service: %s", svc)
		}
		for _, c := range o.AllServiceContainers(svc) {
			teardownContainer(b, c, svc, stopAfter(g, o, svc), opts)
		}
		if !opts.StopOnly && len(opts.Services) == 0 {
			for _, c := range o.OneoffContainers(svc) {
				b.stopAndRemove(c, svc, "one-off", nil, opts.Volumes)
			}
		}
	}
	warnings := orphanTeardown(b, p, o, opts)
	if !opts.StopOnly {
		warnings = append(warnings, projectNetworks(b, p, o, opts.Services, idsOf(b, RemoveContainer))...)
	}
	if len(opts.Services) == 0 && opts.Volumes && !opts.StopOnly {
		projectVolumes(b, p, o, idsOf(b, RemoveContainer))
	}
	if !opts.StopOnly {
		projectImages(b, p, services, opts.RemoveImages, idsOf(b, RemoveContainer))
	}
	plan, err := b.plan()
	if err != nil {
		return nil, err
	}
	plan.Warnings = warnings
	return plan, nil
}

// teardownContainer plans stop (and remove) of c.
func teardownContainer(b *builder, c engine.Container, svc string, after []ActionID, opts DownOptions) {
	if opts.StopOnly {
		b.stop(c, svc, "", after)
		return
	}
	b.stopAndRemove(c, svc, "", after, opts.Volumes)
}

// stopAfter lists the stops of svc's dependents: they stop first, so a
// database outlives the services that still write to it.
func stopAfter(g *project.Graph, o *Observed, svc string) []ActionID {
	var ids []ActionID
	for _, e := range g.Dependents(svc) {
		for _, c := range o.AllServiceContainers(e.From) {
			ids = append(ids, StopContainer.ID(c.Name))
		}
	}
	return ids
}

// orphanTeardown removes the orphans with --remove-orphans, or warns
// about them (stop leaves them alone).
func orphanTeardown(b *builder, p *types.Project, o *Observed, opts DownOptions) []string {
	orphans := Orphans(p, o)
	switch {
	case !opts.RemoveOrphans:
		return orphanWarning(orphans)
	case !opts.StopOnly:
		for _, c := range orphans {
			teardownContainer(b, c, c.Labels[LabelService], nil, opts)
		}
	}
	return nil
}

// projectNetworks removes the project's own networks once every container
// is gone. External ones and ones without the project's label (made by
// hand) stay, and so does one that a container this plan keeps is attached
// to (a service of a profile not enabled, one not named): it is left in
// place with a warning. With services named, only their networks are
// candidates, as docker compose does.
func projectNetworks(b *builder, p *types.Project, o *Observed, services []string, after []ActionID) []string {
	var warnings []string
	for _, key := range networksOf(p, services) {
		n := p.Networks[key]
		got, ok := o.Networks[n.Name]
		if !ok || bool(n.External) || got.Labels[LabelProject] != p.Name {
			continue
		}
		if users := keptUsers(b, o, n.Name); len(users) > 0 {
			warnings = append(warnings, fmt.Sprintf("network %s is kept: still used by %s", n.Name, strings.Join(users, ", ")))
			continue
		}
		b.add(Action{Kind: RemoveNetwork, Resource: n.Name, Target: got.ID, After: after, KeepInUse: true})
	}
	return warnings
}

// networksOf lists the network keys of the named services, or all of the
// project's when none is named, sorted.
func networksOf(p *types.Project, services []string) []string {
	if len(services) == 0 {
		return sortedKeys(p.Networks)
	}
	set := map[string]bool{}
	for _, name := range services {
		for key := range p.Services[name].Networks {
			set[key] = true
		}
	}
	return sortedKeys(set)
}

// keptUsers names the project's containers attached to network that the
// plan does not remove.
func keptUsers(b *builder, o *Observed, network string) []string {
	var users []string
	for _, c := range o.Containers {
		if slices.Contains(c.Networks, network) && !b.has(RemoveContainer.ID(c.Name)) {
			users = append(users, c.Name)
		}
	}
	return users
}

// projectVolumes removes, for down -v, the project's volumes once every
// container is gone: named ones with the project's label, and anonymous
// ones the containers mount.
func projectVolumes(b *builder, p *types.Project, o *Observed, after []ActionID) {
	// Anonymous volumes a replacement inherited are mounted by name, so
	// removing the container with its volumes leaves them: remove them here.
	for _, name := range anonymousVolumes(o) {
		b.add(Action{Kind: RemoveVolume, Resource: name, Target: name, After: after})
	}
	for _, key := range sortedKeys(p.Volumes) {
		v := p.Volumes[key]
		if got, ok := o.Volumes[v.Name]; ok && !bool(v.External) && got.Labels[LabelProject] == p.Name {
			b.add(Action{Kind: RemoveVolume, Resource: v.Name, Target: v.Name, After: after})
		}
	}
}

// projectImages plans --rmi: the images go once no container uses them.
func projectImages(b *builder, p *types.Project, services []string, mode string, after []ActionID) {
	if mode == "" {
		return
	}
	for _, name := range services {
		s := p.Services[name]
		if mode == "local" && s.Image != "" {
			continue
		}
		ref := project.ImageName(p.Name, s)
		b.add(Action{Kind: RemoveImage, Resource: ref, Target: ref, After: after})
	}
}

func idsOf(b *builder, kind Kind) []ActionID {
	var ids []ActionID
	for _, id := range b.order {
		if b.actions[id].Kind == kind {
			ids = append(ids, id)
		}
	}
	return ids
}

func sortedContainers(m map[int]engine.Container) []engine.Container {
	var out []engine.Container
	for _, k := range sortedIntKeys(m) {
		out = append(out, m[k])
	}
	return out
}

func sortedIntKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// anonymousVolumes lists the anonymous volumes the project's containers
// mount, sorted and once each.
func anonymousVolumes(o *Observed) []string {
	seen := map[string]bool{}
	var names []string
	for _, c := range o.Containers {
		for _, m := range anonymousMounts(c) {
			if !seen[m.Name] {
				seen[m.Name] = true
				names = append(names, m.Name)
			}
		}
	}
	sort.Strings(names)
	return names
}
