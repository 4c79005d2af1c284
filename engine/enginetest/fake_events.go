package enginetest

import (
	"context"
	"maps"
	"sync"

	"github.com/berth-compose/berth/engine"
)

// subscriber is one Events stream. Events queue without bound so that
// emitting, done under the fake's lock, never waits for a slow reader.
type subscriber struct {
	filter engine.Filter
	mu     sync.Mutex
	queue  []engine.Event
	wake   chan struct{}
}

func (s *subscriber) push(e engine.Event) {
	s.mu.Lock()
	s.queue = append(s.queue, e)
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Events streams the events of the fake's changes whose attributes match
// flt, from now until ctx ends. Like the engine, it puts a container's
// labels in its events' attributes, but not a network's or a volume's.
func (f *Fake) Events(ctx context.Context, flt engine.Filter) (<-chan engine.Event, <-chan error) {
	out := make(chan engine.Event)
	errs := make(chan error, 1)
	if err := f.begin(ctx, "Events", filterLabels(flt)); err != nil {
		errs <- err
		close(errs)
		close(out)
		return out, errs
	}
	s := &subscriber{filter: flt, wake: make(chan struct{}, 1)}
	f.mu.Lock()
	f.subs[s] = struct{}{}
	f.mu.Unlock()
	go func() {
		defer close(out)
		defer close(errs)
		errs <- f.deliver(ctx, s, out)
		f.mu.Lock()
		delete(f.subs, s)
		f.mu.Unlock()
	}()
	return out, errs
}

// deliver sends s's queued events in order until ctx ends.
func (f *Fake) deliver(ctx context.Context, s *subscriber, out chan<- engine.Event) error {
	for {
		s.mu.Lock()
		queued := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, e := range queued {
			select {
			case out <- e:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		select {
		case <-s.wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// emit sends an event to the subscribers whose filter matches attrs. The
// caller holds f.mu.
func (f *Fake) emit(typ, action, id string, attrs map[string]string) {
	now := f.now()
	for s := range f.subs {
		if s.filter.Matches(attrs) {
			s.push(engine.Event{Type: typ, Action: action, ID: id, Attributes: maps.Clone(attrs), Time: now})
		}
	}
}
