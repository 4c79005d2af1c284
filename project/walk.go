package project

import (
	"context"
	"fmt"
	"slices"

	"github.com/compose-spec/compose-go/v2/errdefs"
)

// WalkError says which key's function failed during a Walk.
type WalkError struct {
	Key string
	Err error
}

func (e *WalkError) Error() string { return e.Key + ": " + e.Err.Error() }
func (e *WalkError) Unwrap() error { return e.Err }

// Walk calls fn once for each of keys, in parallel, each as soon as all of
// its own dependencies have returned nil: a slow key delays only what
// depends on it, never the rest of its "level". depsOf gives a key's
// dependencies; those outside keys are ignored, so a caller can walk part of
// a graph. Among keys that are ready together, the lowest starts first.
//
// At most limit calls run at once (limit <= 0: no limit). A slot is taken
// only to run fn, never to wait for dependencies, so waiting keys cannot
// starve the keys they wait for.
//
// The first error stops the walk: nothing new starts, the context given to
// the calls still running is cancelled, and once they have returned Walk
// returns that error as a *WalkError (their own errors are dropped, being
// mostly that cancellation). When ctx is cancelled nothing new starts and,
// once the running calls have returned, Walk returns an error for which
// errors.Is(err, context.Canceled) holds: ctx.Err() itself, or a *WalkError
// wrapping it when a running call reported the cancellation first. A cycle
// among keys is a *CycleError, returned before anything runs.
//
// Stopping on the first error suits loading and teardown checks; applying a
// plan wants the other policy (skip only the dependents of a failure, let
// independent work finish, report every failure), which convergence will
// add as an option when it is built on Walk.
func Walk(ctx context.Context, keys []string, depsOf func(key string) []string, limit int, fn func(ctx context.Context, key string) error) error {
	order := slices.Compact(slices.Sorted(slices.Values(keys)))
	inSet := make(map[string]bool, len(order))
	for _, k := range order {
		inSet[k] = true
	}
	deps := make(map[string][]string, len(order))
	for _, k := range order {
		var ds []string
		if depsOf != nil {
			for _, d := range depsOf(k) {
				if inSet[d] {
					ds = append(ds, d)
				}
			}
		}
		slices.Sort(ds)
		deps[k] = slices.Compact(ds)
	}
	if cycle := findDependencyCycle(order, func(k string) []string { return deps[k] }); cycle != nil {
		return &CycleError{Cycle: cycle}
	}
	w := &walker{
		fn:         fn,
		limit:      limit,
		waiting:    make(map[string]int, len(order)),
		dependents: make(map[string][]string, len(order)),
	}
	for _, k := range order {
		w.waiting[k] = len(deps[k])
		for _, d := range deps[k] {
			w.dependents[d] = append(w.dependents[d], k)
		}
		if len(deps[k]) == 0 {
			w.ready = append(w.ready, k) // order is sorted, so ready is too
		}
	}
	return w.run(ctx, len(order))
}

// walker is the state of one Walk. Only the goroutine in run touches it;
// the calls report back over a channel, so it needs no lock.
type walker struct {
	fn         func(ctx context.Context, key string) error
	limit      int
	waiting    map[string]int      // key → dependencies not yet succeeded
	dependents map[string][]string // key → keys waiting on it
	ready      []string            // sorted: the lowest starts first
}

type walkResult struct {
	key string
	err error
}

func (w *walker) run(parent context.Context, total int) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	// Buffered so that a finished call exits at once rather than waiting
	// for this loop to come round and read it.
	results := make(chan walkResult, total)
	running, succeeded := 0, 0
	var failed error
	for {
		// Start what is ready before waiting on anything: a key is never
		// held back by an unrelated call still running.
		for failed == nil && ctx.Err() == nil && len(w.ready) > 0 && (w.limit <= 0 || running < w.limit) {
			key := w.ready[0]
			w.ready = w.ready[1:]
			running++
			go func() {
				results <- walkResult{key: key, err: w.fn(ctx, key)}
			}()
		}
		if running == 0 {
			break
		}
		r := <-results
		running--
		if r.err != nil {
			if failed == nil {
				failed = &WalkError{Key: r.key, Err: r.err}
				cancel()
			}
			continue
		}
		succeeded++
		for _, d := range w.dependents[r.key] {
			w.waiting[d]--
			if w.waiting[d] == 0 {
				i, _ := slices.BinarySearch(w.ready, d)
				w.ready = slices.Insert(w.ready, i, d)
			}
		}
	}
	switch {
	case failed != nil:
		return failed
	case succeeded == total:
		return nil
	case parent.Err() != nil:
		return parent.Err()
	}
	// Unreachable with an acyclic set; said loudly rather than reporting
	// success for keys that never ran.
	return fmt.Errorf("walk stalled with %d of %d keys not run", total-succeeded, total)
}

// WalkUp calls fn for the named services (all when names is empty), each
// once the services it depends on have returned: the order to create and
// start. Dependencies outside names are not walked; pass
// DependencyClosure(names...) to include them. See Walk for limit and errors.
func (g *Graph) WalkUp(ctx context.Context, names []string, limit int, fn func(ctx context.Context, service string) error) error {
	keys, err := g.walkKeys(names)
	if err != nil {
		return err
	}
	return Walk(ctx, keys, g.dependencyNames, limit, fn)
}

// WalkDown is WalkUp in reverse: each service once the services depending
// on it have returned, the order to stop and remove. Pass
// DependentClosure(names...) to include the dependents.
func (g *Graph) WalkDown(ctx context.Context, names []string, limit int, fn func(ctx context.Context, service string) error) error {
	keys, err := g.walkKeys(names)
	if err != nil {
		return err
	}
	return Walk(ctx, keys, g.dependentNames, limit, fn)
}

func (g *Graph) walkKeys(names []string) ([]string, error) {
	if len(names) == 0 {
		return g.services, nil
	}
	for _, n := range names {
		if _, ok := g.known[n]; !ok {
			return nil, fmt.Errorf("service %q: %w", n, errdefs.ErrNotFound)
		}
	}
	return names, nil
}
