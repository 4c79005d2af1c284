package convergence

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/project"
)

// Values of UpOptions.Builds.
const (
	BuildAlways = "always" // --build: every selected service with a build section builds
	BuildNever  = "never"  // --no-build: nothing builds; a missing image is an error
)

// BuildFunc prepares the build of service s's image. The planner calls it
// only for the images it decides to build, so a project whose images are
// all there reads no Dockerfile.
type BuildFunc func(s types.ServiceConfig) (*build.Build, error)

// buildOrUse decides for a service with a build section: build its image
// (done), use the image it has (done), or leave the choice to the pull
// policy (not done: the service also names an image to pull).
func (u *upPlanner) buildOrUse(s types.ServiceConfig, ref string, present bool, policy string) (done bool, err error) {
	reason := ""
	switch {
	case u.opts.Builds == BuildNever:
		if present || s.Image != "" {
			return present, nil
		}
		return true, fmt.Errorf("service %s: image %s is not on the engine, and --no-build forbids building it; run `berth build %s` first, or drop --no-build", s.Name, ref, s.Name)
	case u.opts.Builds == BuildAlways:
		reason = "--build"
	case policy == types.PullPolicyBuild:
		reason = "pull_policy: build"
	case policy == types.PullPolicyAlways && s.Image != "":
		return false, nil // pulled every time, as the policy says
	case present:
		return true, nil
	default:
		reason = "missing"
	}
	return true, u.build(s, ref, reason)
}

// build plans the build of s's image, once per image however many
// services run it, and the builds of the missing images it reads.
func (u *upPlanner) build(s types.ServiceConfig, ref, reason string) error {
	if _, planned := u.builds[ref]; planned {
		return nil
	}
	if u.opts.Build == nil {
		return fmt.Errorf("service %s: its image %s must be built, which this command does not do; run `berth build %s` first", s.Name, ref, s.Name)
	}
	b, err := u.opts.Build(s)
	if err != nil {
		return err
	}
	if u.builds == nil {
		u.builds, u.shared = map[string]*build.Build{}, map[string]ActionID{}
	}
	u.builds[ref] = b
	u.warn(b.Warnings...)
	if id, ok := u.shared[b.ShareKey()]; ok && b.ShareKey() != "" {
		// The same build as another's: it makes this image too, as one
		// docker build tagged with several names would.
		a := u.b.actions[id]
		a.Build.Share(b)
		a.Reason += "; also " + ref
		u.pulls[ref], u.builds[ref] = id, a.Build
		return nil
	}
	a := u.b.add(Action{ID: BuildImage.ID(ref), Kind: BuildImage, Resource: ref, Service: s.Name, Reason: reason, Build: b})
	u.pulls[ref] = a.ID
	if key := b.ShareKey(); key != "" {
		u.shared[key] = a.ID
	}
	for _, name := range b.Needs {
		dep, _ := build.Service(u.p, name)
		depRef := project.ImageName(u.p.Name, dep)
		if _, present := u.o.Images[depRef]; present && u.opts.Builds != BuildAlways {
			continue
		}
		if err := u.build(dep, depRef, "needed by "+s.Name); err != nil {
			return err
		}
	}
	return nil
}

// orderBuilds makes each build wait for the builds of the images it
// reads, and refuses builds that read each other's images.
func (u *upPlanner) orderBuilds() error {
	needs := map[string][]string{}
	for _, ref := range slices.Sorted(maps.Keys(u.builds)) {
		id := u.pulls[ref]
		for _, name := range u.builds[ref].Needs {
			dep, _ := build.Service(u.p, name)
			depID, planned := u.pulls[project.ImageName(u.p.Name, dep)]
			if _, built := u.builds[project.ImageName(u.p.Name, dep)]; planned && built && depID != id {
				u.b.wait(id, depID)
				needs[string(id)] = append(needs[string(id)], string(depID))
			}
		}
	}
	if cycle := findCycle(needs); cycle != nil {
		for i, id := range cycle {
			cycle[i] = strings.TrimPrefix(id, BuildImage.String()+":")
		}
		return fmt.Errorf("these images are built from each other: %s; one of the Dockerfiles (or additional_contexts) must not name the other's image", strings.Join(cycle, " -> "))
	}
	return nil
}

// findCycle returns a cycle of edges, first node repeated at its end, or
// nil when there is none.
func findCycle(edges map[string][]string) []string {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var stack []string
	var visit func(n string) []string
	visit = func(n string) []string {
		state[n] = visiting
		stack = append(stack, n)
		for _, m := range edges[n] {
			switch state[m] {
			case visiting:
				i := slices.Index(stack, m)
				return append(slices.Clone(stack[i:]), m)
			case 0:
				if c := visit(m); c != nil {
					return c
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		return nil
	}
	for _, n := range slices.Sorted(maps.Keys(edges)) {
		if state[n] == 0 {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// BuildOptions are the choices of `build` that change its plan.
type BuildOptions struct {
	Services []string // selected services; empty means all
	// WithDependencies also builds the images of the services the
	// selected ones depend on.
	WithDependencies bool
	Build            BuildFunc
}

// PlanBuild plans `build`: the image of every selected service with a
// build section, and the missing images those builds read, each after
// the builds of the images it reads. o.Images says which are missing.
func PlanBuild(p *types.Project, g *project.Graph, o *Observed, opts BuildOptions) (*Plan, error) {
	u := &upPlanner{p: p, g: g, o: o, opts: UpOptions{Build: opts.Build}, b: newBuilder(), pulls: map[string]ActionID{}}
	selected := g.Services()
	if len(opts.Services) > 0 {
		for _, s := range opts.Services {
			if _, ok := p.Services[s]; !ok {
				return nil, fmt.Errorf("no such service: %s", s)
			}
		}
		selected = append([]string(nil), opts.Services...)
		if opts.WithDependencies {
			selected = g.DependencyClosure(opts.Services...)
		}
	}
	slices.Sort(selected)
	for _, name := range selected {
		s := p.Services[name]
		if s.Build == nil {
			continue // nothing to build: its image is pulled
		}
		if err := u.build(s, project.ImageName(p.Name, s), "build"); err != nil {
			return nil, err
		}
	}
	if err := u.orderBuilds(); err != nil {
		return nil, err
	}
	plan, err := u.b.plan()
	if err != nil {
		return nil, err
	}
	plan.Warnings = append(plan.Warnings, u.warnings...)
	return plan, nil
}
