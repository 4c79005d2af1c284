package convergence

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

// ApplyOptions tune how a plan is carried out.
type ApplyOptions struct {
	Project string // labels to find a service's containers for waits
	// Limit bounds concurrent engine calls (--parallel); <= 0: no bound.
	// Waits hold no slot: a wait that held one could starve the very
	// starts it waits for.
	Limit       int
	StopTimeout *time.Duration
	Now         func() time.Time // replaceable clock for progress events
	// Auth gives the registry login for a pull or push of an image
	// reference, asked for only when one runs (a credential helper may be
	// slow or prompt); nil pulls and pushes anonymously.
	Auth func(ref string) (engine.RegistryAuth, error)
	// Pulled, when set, hears of each image reference pulled, once the
	// pull succeeded: pull_policy daily and the like need when that was.
	Pulled func(ref string)
	// Notice tells the user, once per run, what a build said about the
	// engine (no BuildKit); nil drops it.
	Notice func(string)
}

// Apply carries out plan. Each action starts as soon as its own After set is
// done. A failed action skips the actions that depend on it while
// independent ones finish; every failure is reported together at the end.
// On ctx cancel nothing new starts and the error says so.
func Apply(ctx context.Context, e engine.Engine, plan *Plan, sink progress.Sink, opts ApplyOptions) error {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	a := &applier{e: e, sink: sink, opts: opts, byID: map[ActionID]Action{}, created: map[ActionID]string{}, failed: map[ActionID]error{}}
	if opts.Limit > 0 {
		a.slots = semaphore.NewWeighted(int64(opts.Limit))
	}
	keys := make([]string, 0, len(plan.Actions))
	for _, act := range plan.Actions {
		a.byID[act.ID] = act
		keys = append(keys, string(act.ID))
	}
	// The walk is over strings; actions are found again by their IDs.
	depsOf := func(id string) []string {
		after := a.byID[ActionID(id)].After
		out := make([]string, len(after))
		for i, dep := range after {
			out[i] = string(dep)
		}
		return out
	}
	err := project.Walk(ctx, keys, depsOf, 0, func(ctx context.Context, id string) error { return a.run(ctx, ActionID(id)) })
	if ctx.Err() != nil {
		return a.interrupted(plan)
	}
	if err != nil {
		return err // a cycle in the plan: a planner bug, nothing ran
	}
	return errors.Join(a.failures()...)
}

type applier struct {
	e     engine.Engine
	sink  progress.Sink
	opts  ApplyOptions
	slots *semaphore.Weighted
	byID  map[ActionID]Action

	mu      sync.Mutex
	done    int                 // actions that ran to their end, ServiceStarted marks left out
	created map[ActionID]string // create action → new container id
	failed  map[ActionID]error  // action → its error, errSkipped or errCutShort
	pulled  map[string]string   // image reference → id, of the images pulled or built (made on first use)
	notice  sync.Once           // ApplyOptions.Notice is said once
}

var (
	errSkipped = errors.New("skipped: a step it depends on failed")
	// errCutShort marks a step the interrupt stopped half-way; its own
	// error is only the cancellation.
	errCutShort = errors.New("cut short by the interrupt")
	// errNoSlot: the interrupt came while the step waited for a --parallel
	// slot; it never reached the engine.
	errNoSlot = errors.New("not started: interrupted while waiting its turn")
)

// StaleError marks a step whose container, seen in the snapshot, was gone
// when the step ran: the engine changed under the plan (a create the engine
// undid after an interrupted run, a parallel docker command). Planning again
// from a fresh snapshot fixes it; IsStale tells the caller so.
type StaleError struct{ Err error }

func (e *StaleError) Error() string { return e.Err.Error() }
func (e *StaleError) Unwrap() error { return e.Err }

// IsStale reports whether err holds a StaleError, so the plan it came from
// was made from a snapshot the engine no longer matches.
func IsStale(err error) bool {
	var stale *StaleError
	return errors.As(err, &stale)
}

// InterruptedError is what Apply returns when its context ends first: how
// far it got, so the user knows what is left (another run converges it).
// errors.Is(err, context.Canceled) holds for it.
type InterruptedError struct {
	Done, CutShort, NotStarted int
	Failures                   []error // steps that failed on their own before the interrupt
}

func (e *InterruptedError) Error() string {
	msg := fmt.Sprintf("interrupted: %d steps done, %d cut short, %d not started; run the command again to finish",
		e.Done, e.CutShort, e.NotStarted)
	if len(e.Failures) > 0 {
		msg += "\nfailed before the interrupt:\n" + errors.Join(e.Failures...).Error()
	}
	return msg
}

func (e *InterruptedError) Unwrap() []error { return append([]error{context.Canceled}, e.Failures...) }

// interrupted counts what the walk did before it was cancelled. The steps
// in flight then failed with the cancellation: they were cut short.
func (a *applier) interrupted(plan *Plan) error {
	total := 0
	for _, act := range plan.Actions {
		if act.Kind != ServiceStarted {
			total++
		}
	}
	failures := a.failures()
	a.mu.Lock()
	defer a.mu.Unlock()
	cut := 0
	for _, err := range a.failed {
		if err == errCutShort {
			cut++
		}
	}
	return &InterruptedError{Done: a.done, CutShort: cut, NotStarted: total - a.done - cut - len(failures), Failures: failures}
}

// run is the walk's callback. It never returns an error: failures are
// recorded so independent actions carry on.
func (a *applier) run(ctx context.Context, id ActionID) error {
	act := a.byID[id]
	if a.blocked(act) {
		a.fail(id, errSkipped)
		return nil
	}
	err := a.do(ctx, act)
	switch {
	case errors.Is(err, errNoSlot):
		a.fail(id, errNoSlot)
	case err != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)):
		// The cause is the interrupt, not this step. A step that ran on to
		// its end (callContext) and failed on its own is a real failure.
		a.fail(id, errCutShort)
		a.emit(act, progress.Error, "Interrupted", nil)
	case err != nil && !act.Optional:
		if act.Target != "" && engine.IsNotFound(err) {
			err = &StaleError{Err: err}
		}
		a.fail(id, err)
		a.emit(act, progress.Error, "Error", err)
	default: // done, or an optional step that failed: it ran to its end
		if err != nil {
			a.emit(act, progress.Warning, "Skipped", err)
		}
		if act.Kind != ServiceStarted {
			a.mu.Lock()
			a.done++
			a.mu.Unlock()
		}
	}
	return nil
}

func (a *applier) blocked(act Action) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, dep := range act.After {
		if _, bad := a.failed[dep]; bad {
			return true
		}
	}
	return false
}

func (a *applier) fail(id ActionID, err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.failed[id] = err
}

// failures lists the real failures, in ID order: steps skipped for a
// failed dependency, or stopped by an interrupt, are not.
func (a *applier) failures() []error {
	a.mu.Lock()
	defer a.mu.Unlock()
	ids := make([]ActionID, 0, len(a.failed))
	for id, err := range a.failed {
		if err != errSkipped && err != errCutShort && err != errNoSlot {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	errs := make([]error, 0, len(ids))
	for _, id := range ids {
		errs = append(errs, fmt.Errorf("%s %s: %w", resourceKind(a.byID[id].Kind), a.byID[id].Resource, a.failed[id]))
	}
	return errs
}

// step runs one engine call inside a --parallel slot, with working and
// done events around it: a step waiting for its slot shows nothing yet.
func (a *applier) step(ctx context.Context, act Action, working, done string, fn func() error) error {
	if ctx.Err() != nil {
		return errNoSlot // its turn came after the interrupt
	}
	if a.slots != nil {
		if err := a.slots.Acquire(ctx, 1); err != nil {
			return errNoSlot
		}
		defer a.slots.Release(1)
	}
	a.emit(act, progress.Working, working, nil)
	if err := fn(); err != nil {
		return err
	}
	a.emit(act, progress.Done, done, nil)
	return nil
}

func (a *applier) emit(act Action, status progress.Status, text string, err error) {
	if act.Kind == ServiceStarted {
		return
	}
	name := act.Resource
	if a.recreates(act) {
		name, status, text = a.recreateStep(act, status, text)
	}
	a.sink.Emit(progress.Event{Kind: resourceKind(act.Kind), Name: name, Status: status, Text: text, Err: err, Time: a.opts.Now()})
}

// recreates reports whether act is a step of a recreate: the successor's
// create under its temporary name, the old container's stop and remove,
// and the rename that ends it.
func (a *applier) recreates(act Action) bool {
	switch act.Kind {
	case CreateContainer: // under the temporary name the rename starts from
		rename, ok := a.byID[RenameContainer.ID(finalName(act.Resource))]
		return ok && rename.Resource == act.Resource && rename.Resource != rename.NewName
	case StopContainer, RemoveContainer: // of the old container, under the final name
		rename, ok := a.byID[RenameContainer.ID(act.Resource)]
		return ok && rename.Resource != rename.NewName
	case RenameContainer:
		return true
	}
	return false
}

// recreateStep is how a recreate's step shows: all its steps as one line
// of the final container, "Recreate" until the rename makes it
// "Recreated", as docker compose shows it. A temporary name in the output
// would read as a second container.
func (a *applier) recreateStep(act Action, status progress.Status, text string) (string, progress.Status, string) {
	name := finalName(act.Resource)
	if act.Kind == RenameContainer {
		name = act.NewName
	}
	switch {
	case status == progress.Working:
		text = "Recreate"
	case status == progress.Done && act.Kind != RenameContainer:
		status, text = progress.Working, "Recreate" // more steps to come
	}
	return name, status, text
}

// finalName is the name a recreate's successor ends with.
func finalName(name string) string {
	if IsTemporaryName(name) {
		_, name, _ = strings.Cut(name, "_")
	}
	return name
}

func resourceKind(k Kind) progress.Kind {
	switch k {
	case CreateNetwork, RemoveNetwork, ConnectNetwork, DisconnectNetwork:
		return progress.Network
	case CreateVolume, RemoveVolume:
		return progress.Volume
	case RemoveImage, PullImage, PushImage, BuildImage:
		return progress.Image
	case WaitHealthy, WaitCompleted, ServiceStarted:
		return progress.Service
	}
	return progress.Container
}

// containerID is the id an action works on: its target, or the container
// its plan created.
func (a *applier) containerID(act Action, name string) string {
	if act.Target != "" {
		return act.Target
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.created[CreateContainer.ID(name)]
}

// inFlightGrace bounds how long an engine call already sent may take to
// finish after an interrupt.
const inFlightGrace = 30 * time.Second

// callContext is the context of the engine call itself. An interrupt must
// not cut a create, rename or remove off half-way: the engine goes on with
// a request whose client went away, so the next run's snapshot would miss a
// container that appears a moment later. Such calls are short and finish
// (within inFlightGrace) while nothing new starts; waits, stops and pulls,
// which may take long and leave nothing half-made, end at once.
func callContext(ctx context.Context, k Kind) (context.Context, context.CancelFunc) {
	switch k {
	case StopContainer, KillContainer, WaitHealthy, WaitCompleted, PullImage, PushImage, BuildImage:
		return ctx, func() {}
	}
	return context.WithTimeout(context.WithoutCancel(ctx), inFlightGrace)
}

// do performs one action. The --parallel slot is taken with ctx, so a step
// still queued when an interrupt comes never starts.
func (a *applier) do(ctx context.Context, act Action) error {
	slotCtx := ctx
	ctx, cancel := callContext(ctx, act.Kind)
	defer cancel()
	e := a.e
	switch act.Kind {
	case ServiceStarted:
		return nil
	case CreateNetwork:
		return a.step(slotCtx, act, "Creating", "Created", func() error { _, err := e.CreateNetwork(ctx, *act.Network); return err })
	case CreateVolume:
		return a.step(slotCtx, act, "Creating", "Created", func() error { _, err := e.CreateVolume(ctx, *act.Volume); return err })
	case CreateContainer:
		return a.step(slotCtx, act, "Creating", "Created", func() error { return a.create(ctx, act) })
	case StartContainer:
		return a.step(slotCtx, act, "Starting", "Started", func() error { return e.StartContainer(ctx, a.containerID(act, act.Resource)) })
	case StopContainer:
		return a.step(slotCtx, act, "Stopping", "Stopped", func() error { return e.StopContainer(ctx, act.Target, a.opts.StopTimeout) })
	case RemoveContainer:
		return a.step(slotCtx, act, "Removing", "Removed", func() error {
			return gone(e.RemoveContainer(ctx, act.Target, engine.RemoveOptions{Volumes: act.RemoveVolumes}))
		})
	case RenameContainer:
		return a.step(slotCtx, act, "Recreate", "Recreated", func() error { return e.RenameContainer(ctx, a.containerID(act, act.NewName), act.NewName) })
	case ConnectNetwork:
		return a.step(slotCtx, act, "Connecting", "Connected", func() error {
			return e.ConnectNetwork(ctx, act.Resource, a.containerID(act, act.ContainerName), *act.Endpoint)
		})
	case DisconnectNetwork:
		return a.step(slotCtx, act, "Disconnecting", "Disconnected", func() error {
			return e.DisconnectNetwork(ctx, act.Resource, act.Target)
		})
	case KillContainer:
		return a.step(slotCtx, act, "Killing", "Killed", func() error { return e.KillContainer(ctx, act.Target, act.Signal) })
	case PauseContainer:
		return a.step(slotCtx, act, "Pausing", "Paused", func() error { return e.PauseContainer(ctx, act.Target) })
	case UnpauseContainer:
		return a.step(slotCtx, act, "Unpausing", "Unpaused", func() error { return e.UnpauseContainer(ctx, act.Target) })
	case RemoveNetwork:
		return a.step(slotCtx, act, "Removing", "Removed", func() error { return a.removeNetwork(ctx, act) })
	case RemoveImage:
		return a.step(slotCtx, act, "Removing", "Removed", func() error { return gone(e.RemoveImage(ctx, act.Target)) })
	case PullImage:
		return a.step(slotCtx, act, "Pulling", "Pulled", func() error { return a.pull(ctx, act) })
	case PushImage:
		return a.step(slotCtx, act, "Pushing", "Pushed", func() error { return a.push(ctx, act) })
	case BuildImage:
		return a.step(slotCtx, act, "Building", "Built", func() error { return a.build(ctx, act) })
	case RemoveVolume:
		return a.step(slotCtx, act, "Removing", "Removed", func() error { return gone(e.RemoveVolume(ctx, act.Target, false)) })
	case WaitHealthy:
		a.emit(act, progress.Working, "Waiting", nil)
		return a.waitDone(act, "Healthy", waitService(ctx, e, a.opts.Project, act.Service, healthy))
	case WaitCompleted:
		a.emit(act, progress.Working, "Waiting", nil)
		return a.waitDone(act, "Exited", waitService(ctx, e, a.opts.Project, act.Service, completed))
	}
	return fmt.Errorf("unknown action kind %s", act.Kind)
}

// gone treats "not found" as success for removals: what had to go is gone,
// whether this call or another (a container's own volumes, a parallel down)
// removed it.
func gone(err error) error {
	if engine.IsNotFound(err) {
		return nil
	}
	return err
}

func (a *applier) waitDone(act Action, text string, err error) error {
	if err == nil {
		a.emit(act, progress.Done, text, nil)
	}
	return err
}

// create makes the container and records its id for the start, rename and
// connect actions that follow.
func (a *applier) create(ctx context.Context, act Action) error {
	if act.Container == nil {
		return errors.New("no container spec in plan")
	}
	spec := *act.Container
	if act.RefHash != nil {
		hash, err := act.RefHash.Hash(func(name string) string { return a.containerID(Action{}, name) })
		if err != nil {
			return err
		}
		config := *spec.Config // the plan's spec is shared: change a copy
		config.Labels = maps.Clone(config.Labels)
		config.Labels[LabelConfigHash] = hash
		spec.Config = &config
	}
	spec = a.pulledImage(spec)
	id, err := a.e.CreateContainer(ctx, spec)
	if err != nil {
		return err
	}
	if err := a.injectFiles(ctx, id, spec); err != nil {
		return err
	}
	a.mu.Lock()
	a.created[act.ID] = id
	a.mu.Unlock()
	return nil
}

// removeNetwork removes a network. In a teardown (KeepInUse), one that
// containers the plan does not touch still use (another project's, on a
// network it shares) stays, with a warning saying why, and down succeeds.
func (a *applier) removeNetwork(ctx context.Context, act Action) error {
	err := gone(a.e.RemoveNetwork(ctx, act.Target))
	switch {
	case engine.IsInUse(err) && act.KeepInUse:
		a.emit(act, progress.Warning, "Kept", errors.New("other containers still use it"))
		return nil
	case engine.IsInUse(err):
		return fmt.Errorf("%w; containers outside the project are attached to it: disconnect them (docker network disconnect %s CONTAINER) and run up again", err, act.Resource)
	}
	return err
}
