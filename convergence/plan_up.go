package convergence

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// SpecFunc builds the spec of a service's container number n, named name,
// keeping the anonymous volumes in inherit. Plan stays pure: the caller
// closes over whatever the spec needs from the engine (image ids, API
// version).
// It also returns the networks to connect before start (engines before API
// 1.44 take one at create) and warnings about attributes it cannot honour.
type SpecFunc func(s types.ServiceConfig, number int, name string, inherit []engine.Mount) (ContainerSpecResult, error)

// ContainerSpecResult is what a SpecFunc builds.
type ContainerSpecResult struct {
	Spec     engine.ContainerSpec
	Extra    []NetworkAttachment
	Warnings []string
	// Endpoints is the container's endpoint on each network, by engine
	// name, for reconnecting it to a network that is made again.
	Endpoints map[string]engine.EndpointSpec
}

// UpOptions are the choices of `up` that change the plan.
type UpOptions struct {
	Services           []string // selected services; empty means all
	NoDeps             bool     // do not bring up the selection's dependencies
	ForceRecreate      bool
	NoRecreate         bool
	AlwaysRecreateDeps bool
	RemoveOrphans      bool
	RenewAnonVolumes   bool           // -V: recreated containers get fresh anonymous volumes
	Scale              map[string]int // --scale
	NoStart            bool
	// StartOnly starts existing containers and nothing else: no create,
	// recreate or scaling (`start`).
	StartOnly bool
	// Pull is --pull: PullAlways, PullMissing or PullNever override every
	// service's pull_policy; "" or PullPolicy leaves it to each service.
	// Pulls are planned only when Observed.Images is set.
	Pull string
	// Now is the time pull_policy daily, weekly and every_<duration>
	// compare an image's last pull (Observed.ImagesPulledAt) with.
	Now time.Time
	// TempPrefix gives the 12 hex digits that start a successor's temporary
	// name. The caller makes them random, so a name that an interrupted run
	// left behind is never asked for again; nil takes the old container's
	// short id, which keeps plan text stable in tests.
	TempPrefix func() string
	// Confirm asks the user a yes/no question (recreating a volume loses its
	// data); nil answers no.
	Confirm func(question string) bool
	Spec    SpecFunc
	Version string // for the com.docker.compose.version label of networks and volumes
	// Oneoff names the service of a one-off container (`run`): the plan
	// brings up its dependencies (Services and NoDeps are ignored; set
	// OneoffNoDeps for --no-deps), waits for their conditions, makes its
	// networks and volumes and pulls its image, but leaves its own
	// containers alone: `run` creates the one-off itself.
	Oneoff       string
	OneoffNoDeps bool
	// Build prepares the build of a service's image (build.Prepare with
	// the command's options). Without it, an image to build is an error.
	Build BuildFunc
	// Builds is --build (BuildAlways) or --no-build (BuildNever); ""
	// builds the images that are missing, as each service's pull_policy
	// allows.
	Builds string
}

// PlanUp computes what `up` must do to make the engine match p. It makes no
// engine call: o is the snapshot, opts the user's choices.
func PlanUp(p *types.Project, g *project.Graph, o *Observed, opts UpOptions) (*Plan, error) {
	u := &upPlanner{p: p, g: g, o: o, opts: opts, b: newBuilder(), recreated: map[string][]ActionID{},
		replaced: map[string]bool{}, refs: map[string]*RefHash{}, renamed: map[string]ActionID{}, pulls: map[string]ActionID{}, finalNames: map[string]string{},
		volumesMadeAgain: map[string]bool{}}
	selected, err := u.selection()
	if err != nil {
		return nil, err
	}
	if err := u.images(selected); err != nil {
		return nil, err
	}
	for _, name := range g.StartOrder(selected) {
		if name == opts.Oneoff {
			continue
		}
		if err := u.service(p.Services[name], selected); err != nil {
			return nil, err
		}
	}
	if err := u.oneoff(selected); err != nil {
		return nil, err
	}
	if !opts.StartOnly {
		u.orphans()
	}
	if err := u.reconnect(); err != nil {
		return nil, err
	}
	if err := u.releaseVolumes(); err != nil {
		return nil, err
	}
	plan, err := u.b.plan()
	if err != nil {
		return nil, err
	}
	pullsFirst(plan)
	plan.Warnings = append(plan.Warnings, u.warnings...)
	return plan, nil
}

type upPlanner struct {
	p    *types.Project
	g    *project.Graph
	o    *Observed
	opts UpOptions
	b    *builder
	// recreated lists, per service, the stop actions of the containers this
	// plan replaces, so that dependents declared with `restart: true` stop
	// before them and start again after.
	recreated map[string][]ActionID
	// replaced names the services whose first container gets a new id:
	// the container a service: reference resolves to.
	replaced map[string]bool
	// refs holds, per service with service references, what apply needs
	// to stamp compose's config hash (see RefHash).
	refs map[string]*RefHash
	// renamed maps a container's final name to the action that gives it
	// that name back after an interrupted recreate: whatever this plan
	// does to that container must wait for it.
	renamed map[string]ActionID
	// finalNames maps the id of a container that finishRecreates renames
	// to its final name: actions on it later in the plan use that name.
	finalNames map[string]string
	// networksMadeAgain lists the networks this plan removes and creates
	// again (their configuration changed): every container attached to one
	// is disconnected first and, unless replaced anyway, reconnected after.
	networksMadeAgain []string
	// volumesMadeAgain names the volumes the user agreed to recreate: their
	// containers must be gone before the volume goes, so they are replaced
	// by removal first, not by the usual create-then-remove.
	volumesMadeAgain map[string]bool
	warnings         []string
	// pulls maps an image reference to the action that pulls or builds
	// it: the creates of containers running it wait for it (see images).
	pulls map[string]ActionID
	// builds holds the builds planned, by image reference, so that each
	// can wait for the builds of the images it reads (see orderBuilds).
	builds map[string]*build.Build
	// shared maps a build's ShareKey to the action that runs it: services
	// whose builds are the same share one, which tags all their images.
	shared map[string]ActionID
}

func (u *upPlanner) selection() ([]string, error) {
	if o := u.opts.Oneoff; o != "" {
		if _, ok := u.p.Services[o]; !ok {
			return nil, fmt.Errorf("no such service: %s", o)
		}
		if u.opts.OneoffNoDeps {
			return []string{o}, nil
		}
		return u.g.DependencyClosure(o), nil
	}
	if len(u.opts.Services) == 0 {
		return u.g.Services(), nil
	}
	for _, s := range u.opts.Services {
		if _, ok := u.p.Services[s]; !ok {
			return nil, fmt.Errorf("no such service: %s", s)
		}
	}
	if u.opts.NoDeps {
		return append([]string(nil), u.opts.Services...), nil
	}
	return u.g.DependencyClosure(u.opts.Services...), nil
}

// service plans one service: its resources, then each container.
func (u *upPlanner) service(s types.ServiceConfig, selected []string) error {
	if u.opts.StartOnly {
		u.startExisting(s, u.finishRecreates(s), selected)
		return nil
	}
	resources, err := u.resources(s)
	if err != nil {
		return err
	}
	hash, err := u.configHash(s)
	if err != nil {
		return err
	}
	existing := u.finishRecreates(s)
	numbers := u.scale(s, existing, hash, replicas(s, u.opts.Scale))
	for _, n := range numbers {
		if err := u.container(s, n, hash, numbers[0], existing[n], resources, selected); err != nil {
			return err
		}
	}
	u.b.add(Action{ID: ServiceStarted.ID(s.Name), Kind: ServiceStarted, Resource: s.Name, Service: s.Name, After: u.startIDs(s.Name)})
	return nil
}

// oneoff plans what a one-off container of UpOptions.Oneoff needs before
// `run` creates it: its networks and volumes, and its dependencies'
// conditions met.
func (u *upPlanner) oneoff(selected []string) error {
	if u.opts.Oneoff == "" {
		return nil
	}
	s := u.p.Services[u.opts.Oneoff]
	if _, err := u.resources(s); err != nil {
		return err
	}
	u.startDependencies(s, selected) // plans the waits; run starts after the whole plan
	return nil
}

// configHash is the config hash containers of s carry when up to date. For a
// service that uses another's container (network_mode, ipc or pid
// service:X, volumes_from), docker compose hashes it with X's container id
// in place of the reference; when X's first container is replaced in this
// plan its id is not known yet, and apply stamps the hash (RefHash).
func (u *upPlanner) configHash(s types.ServiceConfig) (string, error) {
	refs := map[string]ContainerRef{}
	for _, e := range u.g.Dependencies(s.Name) {
		if !sharesContainer(e.Kind) {
			continue
		}
		ref := ContainerRef{Name: ContainerName(u.p.Name, u.p.Services[e.To], 1)}
		if !u.replaced[e.To] {
			ref = firstContainer(u.o.ServiceContainers(e.To), ref)
		}
		refs[e.To] = ref
	}
	if len(refs) == 0 {
		// volumes_from "container:name" still differs from the file:
		// compose hashes it as the bare name.
		return ExpectedConfigHash(s, nil)
	}
	rh := &RefHash{Service: s, Refs: refs}
	u.refs[s.Name] = rh
	return rh.Hash(func(string) string { return "" })
}

// sharesContainer: these references name another service's container, so
// they follow it when it is replaced.
func sharesContainer(k project.EdgeKind) bool {
	return k == project.NetworkMode || k == project.IPC || k == project.PID || k == project.VolumesFrom
}

// firstContainer is the container a service: reference resolves to, as in
// docker compose: the first by name. Without one, it returns fallback.
func firstContainer(containers map[int]engine.Container, fallback ContainerRef) ContainerRef {
	first := fallback
	found := false
	for _, c := range containers {
		if !found || c.Name < first.Name {
			first, found = ContainerRef{Name: c.Name, ID: c.ID}, true
		}
	}
	return first
}

// container plans container n of s: create, recreate, start, or nothing.
// first is the lowest number the service keeps: the container service:
// references resolve to.
func (u *upPlanner) container(s types.ServiceConfig, n int, hash string, first int, c engine.Container, resources []ActionID, selected []string) error {
	name := ContainerName(u.p.Name, s, n)
	// Dependencies are planned only for containers that start: an unchanged
	// running one must not wait on (or be held up by) its dependencies.
	reason := u.recreateReason(s, c, hash)
	if n == first && (c.ID == "" || reason != "") {
		u.replaced[s.Name] = true
	}
	switch {
	case c.ID == "":
		ready, err := u.create(s, n, name, name, nil, resources, "new container")
		if err != nil {
			return err
		}
		u.start(s, n, name, "", append(u.startDependencies(s, selected), ready...), "new container")
	case reason != "":
		u.recreated[s.Name] = append(u.recreated[s.Name], StopContainer.ID(name))
		return u.recreate(s, n, name, c, resources, u.startDependencies(s, selected), reason)
	case c.State == engine.StateRunning:
		u.restartAfterDependencies(s, n, name, c, selected)
	default:
		u.start(s, n, name, c.ID, u.startDependencies(s, selected), "was "+string(c.State))
	}
	return nil
}

// startExisting starts the service's containers that are not running.
func (u *upPlanner) startExisting(s types.ServiceConfig, existing map[int]engine.Container, selected []string) {
	after := u.startDependencies(s, selected)
	for _, n := range sortedIntKeys(existing) {
		if c := existing[n]; c.State != engine.StateRunning {
			u.start(s, n, c.Name, c.ID, after, "was "+string(c.State))
		}
	}
	u.b.add(Action{ID: ServiceStarted.ID(s.Name), Kind: ServiceStarted, Resource: s.Name, Service: s.Name, After: u.startIDs(s.Name)})
}

// recreateReason says why container c of s must be replaced, "" if not.
func (u *upPlanner) recreateReason(s types.ServiceConfig, c engine.Container, hash string) string {
	switch {
	case c.ID == "" || u.opts.NoRecreate:
		return ""
	case u.forced(s.Name) != "":
		return u.forced(s.Name)
	}
	for _, e := range u.g.Dependencies(s.Name) {
		if sharesContainer(e.Kind) && u.replaced[e.To] {
			return "dependency " + e.To + " recreated: " + e.Kind.String() + " uses its container"
		}
	}
	switch {
	case c.Labels[LabelConfigHash] != hash:
		return "configuration changed" + changedSections(s, c)
	case u.mountsVolumeMadeAgain(c) != "":
		return "volume " + u.mountsVolumeMadeAgain(c) + " is made again"
	}
	if id := u.o.Images[project.ImageName(u.p.Name, s)]; id != "" && c.Labels[LabelImage] != "" && c.Labels[LabelImage] != id {
		return "image changed"
	}
	if filesChanged(u.p, s, c) {
		return "content of configs or secrets changed"
	}
	return ""
}

// restartAfterDependencies restarts running container c of s when a
// dependency declared with `restart: true` is recreated, as docker compose
// does: c stops before that dependency's old containers do, and starts
// again once its dependencies are up.
func (u *upPlanner) restartAfterDependencies(s types.ServiceConfig, n int, name string, c engine.Container, selected []string) {
	var deps []string
	for _, e := range u.g.Dependencies(s.Name) {
		if e.Restart && len(u.recreated[e.To]) > 0 {
			deps = append(deps, e.To)
		}
	}
	if len(deps) == 0 {
		return
	}
	reason := "dependency " + strings.Join(deps, ", ") + " recreated; depends_on restart: true"
	stop := u.b.add(Action{ID: StopContainer.ID(name), Kind: StopContainer, Resource: name, Service: s.Name, Number: n, Target: c.ID, After: []ActionID{u.renamed[name]}, Reason: reason})
	for _, dep := range deps {
		for _, old := range u.recreated[dep] {
			u.b.wait(old, stop.ID)
		}
	}
	u.start(s, n, name, c.ID, append(u.startDependencies(s, selected), stop.ID), reason)
}

// forced names the flag that recreates every container of service whatever
// changed, "" when none does. As in docker compose, the services named on
// the command line (all, when none are) follow --force-recreate and -V (a
// fresh anonymous volume needs a new container); the dependencies brought
// along with them follow --always-recreate-deps.
func (u *upPlanner) forced(service string) string {
	named := len(u.opts.Services) == 0 || contains(u.opts.Services, service)
	switch {
	case named && u.opts.ForceRecreate:
		return "--force-recreate"
	case named && u.opts.RenewAnonVolumes:
		return "--renew-anon-volumes"
	case !named && u.opts.AlwaysRecreateDeps:
		return "--always-recreate-deps"
	}
	return ""
}

// recreate replaces c without losing it before its successor exists:
// create under a temporary name, stop and remove the old one, rename.
func (u *upPlanner) recreate(s types.ServiceConfig, n int, name string, c engine.Container, resources, startAfter []ActionID, reason string) error {
	if u.mountsVolumeMadeAgain(c) != "" {
		return u.replaceAfterRemoval(s, n, name, c, resources, startAfter, reason)
	}
	prefix := shortID(c.ID)
	if u.opts.TempPrefix != nil {
		prefix = u.opts.TempPrefix()
	}
	tmp := prefix + "_" + name
	var inherit []engine.Mount
	if !u.opts.RenewAnonVolumes {
		inherit = anonymousMounts(c)
	}
	ready, err := u.create(s, n, name, tmp, inherit, resources, reason)
	if err != nil {
		return err
	}
	// Should a leftover already have that name (TempPrefix nil, or a
	// random one that repeats), its removal comes first.
	u.b.waitIfPlanned(CreateContainer.ID(name), RemoveContainer.ID(tmp))
	u.b.add(Action{ID: StopContainer.ID(name), Kind: StopContainer, Resource: name, Service: s.Name, Number: n, Target: c.ID, After: []ActionID{CreateContainer.ID(name), u.renamed[name]}, Reason: reason})
	u.b.add(Action{ID: RemoveContainer.ID(name), Kind: RemoveContainer, Resource: name, Service: s.Name, Number: n, Target: c.ID, After: []ActionID{StopContainer.ID(name)}, Reason: reason})
	u.b.add(Action{ID: RenameContainer.ID(name), Kind: RenameContainer, Resource: tmp, NewName: name, Service: s.Name, Number: n, After: append(ready, RemoveContainer.ID(name)), Reason: reason})
	u.start(s, n, name, "", append(startAfter, RenameContainer.ID(name)), reason)
	return nil
}

// replaceAfterRemoval replaces c when it mounts a volume made again: the
// volume can only go once c is gone, and the successor needs the new
// volume, so here the old container goes first. The user agreed to lose
// the volume's data, so nothing is lost that a successor could have kept.
func (u *upPlanner) replaceAfterRemoval(s types.ServiceConfig, n int, name string, c engine.Container, resources, startAfter []ActionID, reason string) error {
	u.b.add(Action{ID: StopContainer.ID(name), Kind: StopContainer, Resource: name, Service: s.Name, Number: n, Target: c.ID, After: []ActionID{u.renamed[name]}, Reason: reason})
	remove := u.b.add(Action{ID: RemoveContainer.ID(name), Kind: RemoveContainer, Resource: name, Service: s.Name, Number: n, Target: c.ID, After: []ActionID{StopContainer.ID(name)}, Reason: reason})
	ready, err := u.create(s, n, name, name, anonymousMounts(c), append(resources, remove.ID), reason)
	if err != nil {
		return err
	}
	u.start(s, n, name, "", append(startAfter, ready...), reason)
	return nil
}

// create plans the container's creation (after the actions in after, and
// those of createDependencies the plan has), and the connection of its extra
// networks, and returns the IDs its start must wait for.
func (u *upPlanner) create(s types.ServiceConfig, n int, name, createAs string, inherit []engine.Mount, after []ActionID, reason string) ([]ActionID, error) {
	a := Action{ID: CreateContainer.ID(name), Kind: CreateContainer, Resource: createAs, Service: s.Name, Number: n,
		After: append(after, u.pullOf(s)), Reason: reason, RefHash: u.refs[s.Name]}
	ready := []ActionID{a.ID}
	if u.opts.Spec != nil {
		res, err := u.opts.Spec(s, n, createAs, inherit)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		a.Container = &res.Spec
		u.warn(res.Warnings...)
		for _, x := range res.Extra {
			ep := x.Endpoint
			c := u.b.add(Action{ID: ConnectNetwork.ID(name + ":" + x.Network), Kind: ConnectNetwork, Resource: x.Network,
				ContainerName: name, Service: s.Name, Number: n, Endpoint: &ep, After: []ActionID{a.ID}, Reason: "engine API before 1.44"})
			ready = append(ready, c.ID)
		}
	}
	u.b.add(a)
	u.b.waitIfPlanned(a.ID, u.createDependencies(s)...)
	return ready, nil
}

// warn records warnings once each: every container of a service repeats them.
func (u *upPlanner) warn(ws ...string) {
	for _, w := range ws {
		if !contains(u.warnings, w) {
			u.warnings = append(u.warnings, w)
		}
	}
}

func (u *upPlanner) start(s types.ServiceConfig, n int, name, target string, after []ActionID, reason string) {
	if u.opts.NoStart {
		return
	}
	u.b.add(Action{ID: StartContainer.ID(name), Kind: StartContainer, Resource: name, Service: s.Name, Number: n, Target: target, After: append(after, u.renamed[name]), Reason: reason})
}

// startIDs lists the start actions planned so far for service.
func (u *upPlanner) startIDs(service string) []ActionID {
	var ids []ActionID
	for _, id := range u.b.order {
		if a := u.b.actions[id]; a.Kind == StartContainer && a.Service == service {
			ids = append(ids, id)
		}
	}
	return ids
}

// startDependencies turns depends_on conditions into plan edges: a start
// waits for its dependencies' starts, health or completion.
func (u *upPlanner) startDependencies(s types.ServiceConfig, selected []string) []ActionID {
	if u.opts.NoStart {
		return nil // nothing starts, so nothing waits (create, up --no-start)
	}
	var after []ActionID
	for _, e := range u.g.Dependencies(s.Name) {
		if !contains(selected, e.To) {
			continue // --no-deps: what is not brought up is not waited for
		}
		switch e.Condition {
		case types.ServiceConditionHealthy:
			u.b.add(Action{ID: WaitHealthy.ID(e.To), Kind: WaitHealthy, Resource: e.To, Service: e.To, After: []ActionID{ServiceStarted.ID(e.To)}, Optional: !e.Required})
			after = append(after, WaitHealthy.ID(e.To))
		case types.ServiceConditionCompletedSuccessfully:
			u.b.add(Action{ID: WaitCompleted.ID(e.To), Kind: WaitCompleted, Resource: e.To, Service: e.To, After: []ActionID{ServiceStarted.ID(e.To)}, Optional: !e.Required})
			after = append(after, WaitCompleted.ID(e.To))
		default:
			after = append(after, ServiceStarted.ID(e.To))
		}
	}
	return after
}

// createDependencies: a container that shares another's namespaces or
// volumes, or links to it, can only be created once that one runs. Plain
// depends_on does not hold creation back, so a chain creates in parallel.
func (u *upPlanner) createDependencies(s types.ServiceConfig) []ActionID {
	var after []ActionID
	for _, e := range u.g.Dependencies(s.Name) {
		if e.Kind == project.DependsOn {
			continue
		}
		after = append(after, ServiceStarted.ID(e.To))
		if sharesContainer(e.Kind) {
			// The container it names must exist under its final name even
			// when nothing starts (create, up --no-start); plan() drops
			// whichever of these the plan does not have.
			first := ContainerName(u.p.Name, u.p.Services[e.To], 1)
			after = append(after, CreateContainer.ID(first), RenameContainer.ID(first), u.renamed[first])
		}
	}
	return after
}

// resources plans the networks and volumes s uses and returns their IDs.
func (u *upPlanner) resources(s types.ServiceConfig) ([]ActionID, error) {
	var ids []ActionID
	for _, key := range sortedKeys(s.Networks) {
		id, err := u.network(key)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		ids = append(ids, id)
	}
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeVolume || v.Source == "" {
			continue
		}
		id, err := u.volume(v.Source)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// scale picks the numbers the service keeps and adds, and plans the
// removal of the rest. As in docker compose, scaling down removes outdated
// containers before up-to-date ones, the highest numbers first among
// equals, so that no container is recreated only to be removed; new ones
// are numbered after the highest existing number.
func (u *upPlanner) scale(s types.ServiceConfig, existing map[int]engine.Container, hash string, want int) []int {
	numbers := sortedIntKeys(existing)
	sort.SliceStable(numbers, func(i, j int) bool {
		return u.recreateReason(s, existing[numbers[i]], hash) == "" && u.recreateReason(s, existing[numbers[j]], hash) != ""
	})
	if len(numbers) > want {
		for _, n := range numbers[want:] {
			u.b.stopAndRemove(existing[n], s.Name, "scaled down to "+strconv.Itoa(want), []ActionID{u.renamed[existing[n].Name]}, false)
		}
		numbers = numbers[:want]
	}
	next := 1
	for n := range existing {
		next = max(next, n+1)
	}
	for len(numbers) < want {
		numbers = append(numbers, next)
		next++
	}
	sort.Ints(numbers)
	return numbers
}

// finishRecreates repairs what an interrupted recreate left and returns the
// service's containers by number under their final names. A successor
// whose original still exists is removed (the recreate starts over); one
// whose original is gone takes the final name back, so it is neither lost
// nor in the way of the name.
func (u *upPlanner) finishRecreates(s types.ServiceConfig) map[int]engine.Container {
	for _, c := range u.o.LeftoverContainers(s.Name) {
		u.b.stopAndRemove(c, s.Name, "left by an interrupted recreate", nil, false)
	}
	existing := u.o.ServiceContainers(s.Name)
	for _, n := range sortedIntKeys(existing) {
		c := existing[n]
		if !IsTemporaryName(c.Name) {
			continue
		}
		name := ContainerName(u.p.Name, s, n)
		a := u.b.add(Action{ID: RenameContainer.ID(c.Name), Kind: RenameContainer, Resource: c.Name, NewName: name, Target: c.ID,
			Service: s.Name, Number: n, Reason: "finishing an interrupted recreate"})
		u.renamed[name] = a.ID
		u.finalNames[c.ID] = name
		c.Name = name
		existing[n] = c
	}
	return existing
}

// orphans removes, with --remove-orphans, the containers of services the
// project no longer has, or warns about them.
func (u *upPlanner) orphans() {
	orphans := Orphans(u.p, u.o)
	if !u.opts.RemoveOrphans {
		u.warnings = append(u.warnings, orphanWarning(orphans)...)
		return
	}
	for _, c := range orphans {
		u.b.stopAndRemove(c, c.Labels[LabelService], "orphan", nil, false)
	}
}

// changedSections names the sections whose recorded digest differs, e.g.
// ": environment, ports". Containers made by docker compose carry no such
// labels, and then nothing more can be said.
func changedSections(s types.ServiceConfig, c engine.Container) string {
	changed := sectionsChanged(SectionHashes(s), c.Labels)
	if len(changed) == 0 {
		return ""
	}
	return ": " + strings.Join(changed, ", ")
}

// replicas is how many containers s should have.
func replicas(s types.ServiceConfig, scale map[string]int) int {
	if n, ok := scale[s.Name]; ok {
		return n
	}
	if s.Scale != nil {
		return *s.Scale
	}
	if s.Deploy != nil && s.Deploy.Replicas != nil {
		return *s.Deploy.Replicas
	}
	return 1
}

func anonymousMounts(c engine.Container) []engine.Mount {
	var out []engine.Mount
	for _, m := range c.Mounts {
		if m.Type == "volume" && m.Name != "" && looksAnonymous(m.Name) {
			out = append(out, m)
		}
	}
	return out
}

// looksAnonymous: the engine names anonymous volumes with 64 hex digits.
func looksAnonymous(name string) bool {
	if len(name) != 64 {
		return false
	}
	return isHex(name)
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
