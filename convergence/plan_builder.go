package convergence

import (
	"errors"
	"fmt"
	"slices"

	"github.com/berth-compose/berth/engine"
)

// builder accumulates a plan's actions under unique IDs. Edges come in two
// strengths. After names actions that must be in the plan: one that is not
// is a planner bug, reported when the plan is built rather than skipped
// while it runs. maybe names actions that exist only when there is work
// for them (a stop of a container that runs, a create of one that is
// missing): those that are absent are done already, and the edge is dropped.
type builder struct {
	actions map[ActionID]*Action
	maybe   map[ActionID][]ActionID
	order   []ActionID
	errs    []error
}

func newBuilder() *builder {
	return &builder{actions: map[ActionID]*Action{}, maybe: map[ActionID][]ActionID{}}
}

// add puts a in the plan, or merges its edges into the action of the same
// ID already there.
func (b *builder) add(a Action) *Action {
	if a.ID == "" {
		a.ID = a.Kind.ID(a.Resource)
	}
	if prev, ok := b.actions[a.ID]; ok {
		prev.After = mergeIDs(prev.After, a.After)
		return prev
	}
	a.After = mergeIDs(nil, a.After)
	b.actions[a.ID] = &a
	b.order = append(b.order, a.ID)
	return b.actions[a.ID]
}

// wait makes the planned action id wait for after too. Naming an action
// that is not planned is a planner bug, reported by plan.
func (b *builder) wait(id ActionID, after ...ActionID) {
	a, ok := b.actions[id]
	if !ok {
		b.errs = append(b.errs, fmt.Errorf("plan: %s is not planned, yet something must come before it", id))
		return
	}
	a.After = mergeIDs(a.After, after)
}

// waitIfPlanned makes id wait for each of deps that the finished plan has.
func (b *builder) waitIfPlanned(id ActionID, deps ...ActionID) {
	b.maybe[id] = append(b.maybe[id], deps...)
}

func (b *builder) has(id ActionID) bool { _, ok := b.actions[id]; return ok }

// plan resolves the edges and returns the plan; an action waiting for one
// that is not planned fails here, naming both.
func (b *builder) plan() (*Plan, error) {
	p := &Plan{}
	errs := append([]error(nil), b.errs...)
	for _, id := range b.order {
		a := *b.actions[id]
		for _, dep := range a.After {
			if !b.has(dep) {
				errs = append(errs, fmt.Errorf("plan: %s waits for %s, which is not planned", id, dep))
			}
		}
		var present []ActionID
		for _, dep := range b.maybe[id] {
			if b.has(dep) {
				present = append(present, dep)
			}
		}
		a.After = mergeIDs(a.After, present)
		p.Actions = append(p.Actions, a)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return p, nil
}

// stop plans c's stop when it runs (a stopped container needs none),
// after those of after that are planned, and returns the stop's ID, ""
// when there is none.
func (b *builder) stop(c engine.Container, svc, reason string, after []ActionID) ActionID {
	if c.State != engine.StateRunning && c.State != engine.StatePaused && c.State != engine.StateRestarting {
		return ""
	}
	stop := b.add(Action{ID: StopContainer.ID(c.Name), Kind: StopContainer, Resource: c.Name, Service: svc, Target: c.ID, Reason: reason})
	b.waitIfPlanned(stop.ID, after...)
	return stop.ID
}

// stopAndRemove plans c's removal, after its stop when it runs (else after
// what the stop would have waited for).
func (b *builder) stopAndRemove(c engine.Container, svc, reason string, after []ActionID, volumes bool) {
	remove := b.add(Action{ID: RemoveContainer.ID(c.Name), Kind: RemoveContainer, Resource: c.Name, Service: svc, Target: c.ID,
		RemoveVolumes: volumes, Reason: reason})
	if stop := b.stop(c, svc, reason, after); stop != "" {
		b.wait(remove.ID, stop)
		return
	}
	b.waitIfPlanned(remove.ID, after...)
}

// mergeIDs is the sorted union of a and b, without empty IDs.
func mergeIDs(a, b []ActionID) []ActionID {
	out := slices.Concat(a, b)
	out = slices.DeleteFunc(out, func(id ActionID) bool { return id == "" })
	slices.Sort(out)
	return slices.Compact(out)
}
