package stack

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

// ApplyOptions tune how a plan is carried out.
type ApplyOptions struct {
	// Auth gives the login sent with a service's image, so nodes can
	// pull from a private registry; nil sends none.
	Auth AuthFunc
	// Now is the clock for events and for telling this deploy's failed
	// tasks from older ones.
	Now func() time.Time
	// Poll is how often a wait reads the service again: tasks have no
	// engine events, so waits poll. Zero: 250 ms.
	Poll time.Duration
	// Stable is how long a wait must see a new task running before it
	// counts. Zero: at once; the commands use DefaultStable.
	Stable time.Duration
	// NetworkGrace bounds how long a removal retries a network whose
	// removed services' tasks still hold it. Zero: a minute.
	NetworkGrace time.Duration
	// Warn hears what finished with a warning but not an error.
	Warn func(string)
}

// DefaultStable is the window the commands give a new task to prove it
// does not exit at once.
const DefaultStable = time.Second

// Apply carries out plan: each action once its After set is done. A
// failure skips what depends on it while the rest goes on; every failure
// is returned together.
func Apply(ctx context.Context, e Engine, plan *Plan, sink progress.Sink, opts ApplyOptions) error {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Poll == 0 {
		opts.Poll = 250 * time.Millisecond
	}
	if opts.NetworkGrace == 0 {
		opts.NetworkGrace = time.Minute
	}
	if opts.Warn == nil {
		opts.Warn = func(string) {}
	}
	a := &applier{e: e, sink: sink, opts: opts, start: opts.Now(), byID: map[string]Action{},
		ids: map[string]string{}, failed: map[string]error{}}
	for k, v := range plan.IDs {
		a.ids[k] = v
	}
	keys := make([]string, 0, len(plan.Actions))
	for _, act := range plan.Actions {
		a.byID[act.ID] = act
		keys = append(keys, act.ID)
	}
	err := project.Walk(ctx, keys, func(id string) []string { return a.byID[id].After }, 0,
		func(ctx context.Context, id string) error { a.run(ctx, a.byID[id]); return nil })
	if err != nil && ctx.Err() == nil {
		return err // a cycle: a planner bug, nothing ran
	}
	errs := a.failures()
	if ctx.Err() != nil {
		errs = append([]error{fmt.Errorf("interrupted: %w", ctx.Err())}, errs...)
	}
	return errors.Join(errs...)
}

type applier struct {
	e     Engine
	sink  progress.Sink
	opts  ApplyOptions
	start time.Time
	byID  map[string]Action

	mu     sync.Mutex
	ids    map[string]string // "config:<name>", "secret:<name>", "service:<key>" → id
	failed map[string]error  // action → its error, or errSkipped
}

var errSkipped = errors.New("skipped: a step it depends on failed")

func (a *applier) run(ctx context.Context, act Action) {
	if a.blocked(act) || ctx.Err() != nil {
		a.setFailed(act.ID, errSkipped)
		return
	}
	if err := a.do(ctx, act); err != nil {
		if ctx.Err() != nil {
			a.setFailed(act.ID, errSkipped)
			a.emit(act, progress.Error, "Interrupted", nil)
			return
		}
		a.setFailed(act.ID, err)
		a.emit(act, progress.Error, "Error", err)
	}
}

func (a *applier) blocked(act Action) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.ContainsFunc(act.After, func(dep string) bool { return a.failed[dep] != nil })
}

func (a *applier) setFailed(id string, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failed[id] = err
}

func (a *applier) failures() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for _, id := range sortedKeys(a.failed) {
		if err := a.failed[id]; err != errSkipped {
			act := a.byID[id]
			errs = append(errs, fmt.Errorf("%s %s: %w", eventKind(act.Kind), act.Name, err))
		}
	}
	return errs
}

func (a *applier) setID(key, id string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ids[key] = id
}

func (a *applier) id(key string) string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.ids[key]
}

func (a *applier) emit(act Action, status progress.Status, text string, err error) {
	a.sink.Emit(progress.Event{Kind: eventKind(act.Kind), Name: act.Name, Status: status, Text: text, Err: err, Time: a.opts.Now()})
}

func eventKind(k Kind) progress.Kind {
	switch k {
	case CreateNetwork, RemoveNetwork:
		return progress.Network
	case CreateConfig, RemoveConfig:
		return progress.Config
	case CreateSecret, RemoveSecret:
		return progress.Secret
	}
	return progress.Service
}

// step runs fn between a working and a done event.
func (a *applier) step(act Action, working, done string, fn func() error) error {
	a.emit(act, progress.Working, working, nil)
	if err := fn(); err != nil {
		return err
	}
	a.emit(act, progress.Done, done, nil)
	return nil
}

func (a *applier) do(ctx context.Context, act Action) error {
	switch act.Kind {
	case CreateNetwork:
		return a.step(act, "Creating", "Created", func() error {
			spec := *act.Network
			_, err := a.e.CreateNetwork(ctx, spec)
			return err
		})
	case CreateConfig:
		return a.step(act, "Creating", "Created", func() error {
			id, err := a.e.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: act.Name, Labels: act.Labels}, Data: act.Object.Data})
			a.setID("config:"+act.Name, id)
			return err
		})
	case CreateSecret:
		return a.step(act, "Creating", "Created", func() error {
			id, err := a.e.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: act.Name, Labels: act.Labels}, Data: act.Object.Data})
			a.setID("secret:"+act.Name, id)
			return err
		})
	case CreateService:
		return a.step(act, "Creating", "Created", func() error { return a.createService(ctx, act) })
	case UpdateService:
		return a.step(act, "Updating", "Updated", func() error { return a.updateService(ctx, act) })
	case WaitService:
		return a.wait(ctx, act)
	case RemoveService:
		return a.step(act, "Removing", "Removed", func() error { return a.removeService(ctx, act) })
	case RemoveConfig:
		return a.removeObject(ctx, act, a.e.RemoveConfig)
	case RemoveSecret:
		return a.removeObject(ctx, act, a.e.RemoveSecret)
	case RemoveNetwork:
		return a.step(act, "Removing", "Removed", func() error { return a.removeNetwork(ctx, act) })
	}
	return fmt.Errorf("unknown action kind %d", act.Kind)
}

// withIDs fills the spec's config and secret ids from the objects known
// now by name: those this apply created included.
func (a *applier) withIDs(spec swarm.ServiceSpec) (swarm.ServiceSpec, error) {
	bare, err := withoutObjectIDs(spec)
	if err != nil {
		return spec, err
	}
	cs := bare.TaskTemplate.ContainerSpec
	if cs == nil {
		return bare, nil
	}
	for _, c := range cs.Configs {
		if c.ConfigID = a.id("config:" + c.ConfigName); c.ConfigID == "" {
			c.ConfigID = idOf(spec.TaskTemplate.ContainerSpec.Configs, c.ConfigName)
		}
	}
	for _, s := range cs.Secrets {
		if s.SecretID = a.id("secret:" + s.SecretName); s.SecretID == "" {
			s.SecretID = secretIDOf(spec.TaskTemplate.ContainerSpec.Secrets, s.SecretName)
		}
	}
	return bare, nil
}

// idOf finds an id translation already had (an external object's).
func idOf(refs []*swarm.ConfigReference, name string) string {
	for _, r := range refs {
		if r.ConfigName == name {
			return r.ConfigID
		}
	}
	return ""
}

func secretIDOf(refs []*swarm.SecretReference, name string) string {
	for _, r := range refs {
		if r.SecretName == name {
			return r.SecretID
		}
	}
	return ""
}

func (a *applier) auth(spec swarm.ServiceSpec) (engine.RegistryAuth, error) {
	if a.opts.Auth == nil || spec.TaskTemplate.ContainerSpec == nil {
		return engine.RegistryAuth{}, nil
	}
	return a.opts.Auth(spec.TaskTemplate.ContainerSpec.Image)
}

func (a *applier) createService(ctx context.Context, act Action) error {
	spec, err := a.withIDs(*act.Spec)
	if err != nil {
		return err
	}
	auth, err := a.auth(spec)
	if err != nil {
		return err
	}
	id, warnings, err := a.e.CreateService(ctx, spec, auth)
	if err != nil {
		return err
	}
	a.setID("service:"+act.Service, id)
	a.warnAll(act, warnings)
	return nil
}

func (a *applier) updateService(ctx context.Context, act Action) error {
	spec, err := a.withIDs(*act.Spec)
	if err != nil {
		return err
	}
	auth, err := a.auth(spec)
	if err != nil {
		return err
	}
	a.setID("service:"+act.Service, act.TargetID)
	warnings, err := a.e.UpdateService(ctx, act.TargetID, act.Version, spec, auth)
	if engine.IsOutOfSequence(err) {
		// Someone updated the service since the snapshot (swarm itself does,
		// finishing a rollback): send the same spec on top of theirs.
		cur, ierr := a.e.InspectService(ctx, act.TargetID)
		if ierr != nil {
			return ierr
		}
		warnings, err = a.e.UpdateService(ctx, act.TargetID, cur.Version.Index, spec, auth)
	}
	if err != nil {
		return err
	}
	a.warnAll(act, warnings)
	return nil
}

func (a *applier) warnAll(act Action, warnings []string) {
	for _, w := range warnings {
		a.opts.Warn(fmt.Sprintf("service %s: %s", act.Name, w))
	}
}

// labelServiceID is the label the swarm puts on a task's container.
const labelServiceID = "com.docker.swarm.service.id"

// removeService removes a service and, on this engine, the containers of
// its tasks that ended: the swarm removes a running task's container
// itself, but leaves a completed job's behind, holding its volumes.
func (a *applier) removeService(ctx context.Context, act Action) error {
	if err := ignoreGone(a.e.RemoveService(ctx, act.TargetID)); err != nil {
		return err
	}
	left, err := a.e.ListContainers(ctx, engine.Filter{Labels: []string{labelServiceID + "=" + act.TargetID}})
	if err != nil {
		return err
	}
	for _, c := range left {
		if c.State == engine.StateExited || c.State == engine.StateCreated || c.State == engine.StateDead {
			if err := ignoreGone(a.e.RemoveContainer(ctx, c.ID, engine.RemoveOptions{})); err != nil {
				return err
			}
		}
	}
	return nil
}

// removeObject removes an old config or secret version; one something
// outside the plan still uses (a service not pruned) stays, with a warning.
func (a *applier) removeObject(ctx context.Context, act Action, remove func(context.Context, string) error) error {
	a.emit(act, progress.Working, "Removing", nil)
	err := ignoreGone(remove(ctx, act.TargetID))
	if engine.IsObjectInUse(err) {
		a.emit(act, progress.Warning, "Kept: still in use", nil)
		return nil
	}
	if err != nil {
		return err
	}
	a.emit(act, progress.Done, "Removed", nil)
	return nil
}

// removeNetwork retries while tasks of the services just removed still
// hold the network: the swarm shuts them down after the removal returns.
func (a *applier) removeNetwork(ctx context.Context, act Action) error {
	deadline := a.opts.Now().Add(a.opts.NetworkGrace)
	for {
		err := ignoreGone(a.e.RemoveNetwork(ctx, act.TargetID))
		if err == nil || !engine.IsInUse(err) || a.opts.Now().After(deadline) {
			return err
		}
		if err := sleep(ctx, a.opts.Poll); err != nil {
			return err
		}
	}
}

func ignoreGone(err error) error {
	if engine.IsNotFound(err) {
		return nil
	}
	return err
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
