package project

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/types"
)

// EdgeKind names the compose attribute that makes one service depend on
// another. The values are explicit so that adding a kind never renumbers the
// others in plans and test fixtures; zero is left unused so that a zero Edge
// is recognisably unset.
type EdgeKind int

const (
	DependsOn   EdgeKind = 1 // depends_on
	Link        EdgeKind = 2 // links
	NetworkMode EdgeKind = 3 // network_mode: service:X
	IPC         EdgeKind = 4 // ipc: service:X
	PID         EdgeKind = 5 // pid: service:X
	VolumesFrom EdgeKind = 6 // volumes_from: X or service:X
)

// String returns the compose attribute, so messages point at what to edit.
func (k EdgeKind) String() string {
	switch k {
	case DependsOn:
		return "depends_on"
	case Link:
		return "links"
	case NetworkMode:
		return "network_mode"
	case IPC:
		return "ipc"
	case PID:
		return "pid"
	case VolumesFrom:
		return "volumes_from"
	}
	return fmt.Sprintf("EdgeKind(%d)", int(k))
}

// Edge says that service From depends on service To.
type Edge struct {
	From, To string
	Kind     EdgeKind
	// Condition is what From waits for: service_started,
	// service_healthy or service_completed_successfully. Kinds other than
	// DependsOn only need To to exist and run, so they carry service_started.
	Condition string
	Required  bool
	// Restart asks to restart From when To is restarted or recreated.
	Restart bool
}

// String is a stable one-line form for tests and dry-run output.
func (e Edge) String() string {
	s := fmt.Sprintf("%s -> %s %s %s", e.From, e.To, e.Kind, e.Condition)
	if !e.Required {
		s += " optional"
	}
	if e.Restart {
		s += " restart"
	}
	return s
}

// Graph is the services of a project and what each depends on and uses.
// It is read-only once built: the accessors return copies.
type Graph struct {
	// Warnings lists the optional dependencies (required: false) left out
	// because their service is undefined or disabled, sorted.
	Warnings []string

	services     []string
	edges        []Edge
	dependencies map[string][]Edge   // by From, sorted by To then Kind
	dependents   map[string][]Edge   // by To, sorted by From then Kind
	depNames     map[string][]string // distinct To of dependencies, sorted
	revNames     map[string][]string // distinct From of dependents, sorted
	networks     map[string][]string // service → network keys, sorted
	volumes      map[string][]string // service → top-level volume keys, sorted
	known        map[string]struct{} // services, for lookups
}

// NewGraph builds the dependency graph of the enabled services of p. It
// fails on a required dependency that is undefined or disabled (all of them,
// joined, so one run shows every fix) and on a cycle (*CycleError).
func NewGraph(p *types.Project) (*Graph, error) {
	if p == nil {
		return nil, errors.New("building the service graph: no project")
	}
	g := &Graph{
		services:     slices.Sorted(maps.Keys(p.Services)),
		dependencies: map[string][]Edge{},
		dependents:   map[string][]Edge{},
		depNames:     map[string][]string{},
		revNames:     map[string][]string{},
		networks:     map[string][]string{},
		volumes:      map[string][]string{},
		known:        map[string]struct{}{},
	}
	for _, name := range g.services {
		g.known[name] = struct{}{}
	}
	var errs []error
	for _, name := range g.services {
		s := p.Services[name]
		first := len(g.edges)
		for _, e := range serviceEdges(p, name, s) {
			if _, ok := p.Services[e.To]; ok {
				g.edges = append(g.edges, e)
				continue
			}
			missing := dependencyError(p, e)
			if !e.Required {
				g.Warnings = append(g.Warnings, missing.describe()+"; ignored as it is optional (required: false)")
				continue
			}
			errs = append(errs, missing)
		}
		// Services come in name order and serviceEdges sorts by To then
		// Kind, so g.edges is sorted as Edges promises and each service's
		// dependencies are one run of it, shared rather than copied (the
		// accessors copy).
		if last := len(g.edges); last > first {
			g.dependencies[name] = g.edges[first:last:last]
		}
		g.networks[name] = slices.Sorted(maps.Keys(s.Networks))
		g.volumes[name] = namedVolumes(p, s)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	for _, e := range g.edges {
		g.dependents[e.To] = append(g.dependents[e.To], e)
		g.depNames[e.From] = appendUnlessLast(g.depNames[e.From], e.To)
	}
	// Dependents are grouped by To but were appended in From order, so
	// their names come out sorted without another pass.
	for to, es := range g.dependents {
		for _, e := range es {
			g.revNames[to] = appendUnlessLast(g.revNames[to], e.From)
		}
	}
	if cycle := findDependencyCycle(g.services, g.dependencyNames); cycle != nil {
		return nil, &CycleError{Cycle: cycle}
	}
	return g, nil
}

// serviceEdges returns the edges of one service, one per (To, Kind).
func serviceEdges(p *types.Project, name string, s types.ServiceConfig) []Edge {
	var edges []Edge
	implicit := map[string]bool{} // targets of an edge other than DependsOn
	add := func(e Edge) {
		for _, old := range edges {
			if old.To == e.To && old.Kind == e.Kind {
				return // links: [db, "db:database"] is one edge
			}
		}
		if e.Kind != DependsOn {
			implicit[e.To] = true
		}
		edges = append(edges, e)
	}
	for _, l := range s.Links {
		to, _, _ := strings.Cut(l, ":") // SERVICE[:ALIAS]
		add(implicitEdge(name, to, Link))
	}
	for kind, ref := range map[EdgeKind]string{NetworkMode: s.NetworkMode, IPC: s.Ipc, PID: s.Pid} {
		if to, ok := strings.CutPrefix(ref, types.ServicePrefix); ok {
			add(implicitEdge(name, to, kind))
		}
	}
	for _, v := range s.VolumesFrom {
		if to, ok := volumesFromService(v); ok {
			add(implicitEdge(name, to, VolumesFrom))
		}
	}
	synthesized := loaderDependsOn(s)
	for to, dep := range s.DependsOn {
		restart, ok := synthesized[to]
		if ok && dep.Condition == types.ServiceConditionStarted && dep.Required && dep.Restart == restart {
			// compose-go's loader wrote this entry itself (or the user wrote
			// one that means exactly the same). The edge of its own kind
			// already orders the pair; a DependsOn edge too would count the
			// dependency twice.
			if implicit[to] || loaderVolumesFromArtifact(p, s, to) {
				continue
			}
		}
		condition := dep.Condition
		if condition == "" {
			// Only projects built in Go lack it: the loader defaults it.
			condition = types.ServiceConditionStarted
		}
		add(Edge{From: name, To: to, Kind: DependsOn, Condition: condition, Required: dep.Required, Restart: dep.Restart})
	}
	slices.SortFunc(edges, compareEdges)
	return edges
}

// implicitEdge is an edge that a compose attribute other than depends_on
// implies. Restart matches what compose-go's loader puts in the depends_on
// entry it adds: a container sharing another's namespace must follow it
// when it is recreated, one that only copied its volumes need not.
func implicitEdge(from, to string, kind EdgeKind) Edge {
	return Edge{
		From:      from,
		To:        to,
		Kind:      kind,
		Condition: types.ServiceConditionStarted,
		Required:  true,
		Restart:   kind != VolumesFrom,
	}
}

// volumesFromService parses a volumes_from entry: SERVICE[:MODE],
// service:SERVICE[:MODE] or container:CONTAINER[:MODE], the last naming a
// container outside the project and so no edge.
func volumesFromService(v string) (string, bool) {
	if strings.HasPrefix(v, types.ContainerPrefix) {
		return "", false
	}
	v = strings.TrimPrefix(v, types.ServicePrefix)
	to, _, _ := strings.Cut(v, ":")
	return to, to != ""
}

// loaderDependsOn mirrors the depends_on entries compose-go's loader adds
// while normalising (loader/normalize.go in v2.16.2): target → restart, the
// first attribute to name a target deciding. It includes uts and cgroup,
// which have no EdgeKind, so their entries stay as DependsOn edges.
func loaderDependsOn(s types.ServiceConfig) map[string]bool {
	out := map[string]bool{}
	put := func(to string, restart bool) {
		if _, ok := out[to]; !ok {
			out[to] = restart
		}
	}
	for _, l := range s.Links {
		to, _, _ := strings.Cut(l, ":")
		put(to, true)
	}
	for _, ref := range []string{s.NetworkMode, s.Ipc, s.Pid, s.Uts, s.Cgroup} {
		if to, ok := strings.CutPrefix(ref, types.ServicePrefix); ok {
			put(to, true)
		}
	}
	for _, v := range s.VolumesFrom {
		if !strings.HasPrefix(v, types.ContainerPrefix) {
			// Split as the loader does, so "service:db" yields "service".
			to, _, _ := strings.Cut(v, ":")
			put(to, false)
		}
	}
	return out
}

// loaderVolumesFromArtifact reports the bogus depends_on "service" that
// compose-go v2.16.2 adds for volumes_from "service:X": it cuts the entry
// at the first colon. With its consistency check on, the loader rejects
// such a project itself; without it, the entry would otherwise fail here as
// an undefined service.
func loaderVolumesFromArtifact(p *types.Project, s types.ServiceConfig, to string) bool {
	if to != strings.TrimSuffix(types.ServicePrefix, ":") {
		return false
	}
	if _, ok := p.Services[to]; ok {
		return false
	}
	if _, ok := p.DisabledServices[to]; ok {
		return false
	}
	return slices.ContainsFunc(s.VolumesFrom, func(v string) bool {
		return strings.HasPrefix(v, types.ServicePrefix)
	})
}

// namedVolumes returns the top-level volume keys that s mounts; binds,
// tmpfs and anonymous volumes belong to no one else and are left out.
func namedVolumes(p *types.Project, s types.ServiceConfig) []string {
	var out []string
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume || v.Source == "" {
			continue
		}
		if _, ok := p.Volumes[v.Source]; ok {
			out = append(out, v.Source)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Services returns the names of the enabled services, sorted.
func (g *Graph) Services() []string { return slices.Clone(g.services) }

// Edges returns every edge, sorted by From, To, then Kind.
func (g *Graph) Edges() []Edge { return slices.Clone(g.edges) }

// Dependencies returns the edges from name to what it depends on, sorted by
// To then Kind; nil for an unknown service.
func (g *Graph) Dependencies(name string) []Edge { return slices.Clone(g.dependencies[name]) }

// Dependents returns the edges into name from the services that depend on
// it, sorted by From then Kind; nil for an unknown service.
func (g *Graph) Dependents(name string) []Edge { return slices.Clone(g.dependents[name]) }

// DependencyClosure returns names and everything they depend on,
// transitively, sorted: what `up web` has to start. Unknown names are
// left out; check them against Services first.
func (g *Graph) DependencyClosure(names ...string) []string {
	return g.closure(names, g.dependencyNames)
}

// DependentClosure returns names and everything that depends on them,
// transitively, sorted: what `stop db` has to stop first.
func (g *Graph) DependentClosure(names ...string) []string {
	return g.closure(names, g.dependentNames)
}

// Networks returns the network keys the service joins, sorted.
func (g *Graph) Networks(service string) []string { return slices.Clone(g.networks[service]) }

// Volumes returns the top-level volume keys the service mounts, sorted.
func (g *Graph) Volumes(service string) []string { return slices.Clone(g.volumes[service]) }

// dependencyNames and dependentNames return shared slices: internal use only.
func (g *Graph) dependencyNames(name string) []string { return g.depNames[name] }
func (g *Graph) dependentNames(name string) []string  { return g.revNames[name] }

func (g *Graph) closure(names []string, next func(string) []string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if _, ok := g.known[n]; !ok || seen[n] {
			return
		}
		seen[n] = true
		for _, m := range next(n) {
			visit(m)
		}
	}
	for _, n := range names {
		visit(n)
	}
	return slices.Sorted(maps.Keys(seen))
}

// DependencyError says a service depends on one the project does not
// define, or has disabled. It wraps errdefs.ErrNotFound or
// errdefs.ErrDisabled so callers can tell the two apart.
type DependencyError struct {
	Service    string
	Dependency string
	Kind       EdgeKind
	Disabled   bool
	Profiles   []string // of the disabled dependency, sorted
}

func (e *DependencyError) Error() string {
	msg := e.describe()
	switch {
	case !e.Disabled || len(e.Profiles) == 0:
		// Undefined, or disabled by selection rather than by profiles:
		// there is no flag to suggest.
		return msg
	case len(e.Profiles) == 1:
		return fmt.Sprintf("%s; enable it with --profile %s", msg, e.Profiles[0])
	}
	flags := make([]string, len(e.Profiles))
	for i, p := range e.Profiles {
		flags[i] = "--profile " + p
	}
	return fmt.Sprintf("%s; enable it with %s", msg, strings.Join(flags, " or "))
}

// describe says what is wrong without the fix, for warnings about optional
// dependencies where there is nothing to fix.
func (e *DependencyError) describe() string {
	via := ""
	if e.Kind != DependsOn {
		via = fmt.Sprintf(" (via %s)", e.Kind)
	}
	if !e.Disabled {
		return fmt.Sprintf("service %q depends on undefined service %q%s", e.Service, e.Dependency, via)
	}
	msg := fmt.Sprintf("service %q depends on service %q%s which is disabled", e.Service, e.Dependency, via)
	switch len(e.Profiles) {
	case 0:
		return msg
	case 1:
		return fmt.Sprintf("%s (profile %q)", msg, e.Profiles[0])
	}
	quoted := make([]string, len(e.Profiles))
	for i, p := range e.Profiles {
		quoted[i] = fmt.Sprintf("%q", p)
	}
	return fmt.Sprintf("%s (profiles %s)", msg, strings.Join(quoted, ", "))
}

func (e *DependencyError) Unwrap() error {
	if e.Disabled {
		return errdefs.ErrDisabled
	}
	return errdefs.ErrNotFound
}

func dependencyError(p *types.Project, e Edge) *DependencyError {
	err := &DependencyError{Service: e.From, Dependency: e.To, Kind: e.Kind}
	if s, ok := p.DisabledServices[e.To]; ok {
		err.Disabled = true
		err.Profiles = slices.Sorted(slices.Values(s.Profiles))
	}
	return err
}

// CycleError says the services (or walk keys) depend on each other in a
// loop, so none of them can start first.
type CycleError struct {
	// Cycle starts at its lowest name; each depends on the next and the
	// last on the first.
	Cycle []string
}

func (e *CycleError) Error() string {
	return "dependency cycle detected: " + strings.Join(append(slices.Clone(e.Cycle), e.Cycle[0]), " -> ")
}

// findDependencyCycle returns a cycle or nil. It searches from the lowest key and
// follows next in order, then rotates the cycle to start at its lowest
// key, so the same input always reports the same cycle. next must return
// only keys of the set, sorted.
func findDependencyCycle(keys []string, next func(string) []string) []string {
	const (
		unvisited = iota
		onPath
		finished
	)
	state := make(map[string]int, len(keys))
	var path []string
	var visit func(k string) []string
	visit = func(k string) []string {
		state[k] = onPath
		path = append(path, k)
		for _, n := range next(k) {
			switch state[n] {
			case onPath:
				cycle := slices.Clone(path[slices.Index(path, n):])
				lowest := slices.Index(cycle, slices.Min(cycle))
				return append(cycle[lowest:], cycle[:lowest]...)
			case unvisited:
				if c := visit(n); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[k] = finished
		return nil
	}
	for _, k := range keys {
		if state[k] == unvisited {
			if c := visit(k); c != nil {
				return c
			}
		}
	}
	return nil
}

func compareEdges(a, b Edge) int {
	return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To), cmp.Compare(a.Kind, b.Kind))
}

// appendUnlessLast appends s unless it is already the last element, which is
// enough to deduplicate input that is grouped.
func appendUnlessLast(list []string, s string) []string {
	if len(list) > 0 && list[len(list)-1] == s {
		return list
	}
	return append(list, s)
}

// RestartDependents returns names plus, transitively, every service that
// depends on one of them with `restart: true`, sorted: what restarting
// names must restart too.
func (g *Graph) RestartDependents(names ...string) []string {
	set := map[string]bool{}
	queue := append([]string(nil), names...)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if set[name] {
			continue
		}
		set[name] = true
		for _, e := range g.Dependents(name) {
			if e.Restart {
				queue = append(queue, e.From)
			}
		}
	}
	return slices.Sorted(maps.Keys(set))
}
