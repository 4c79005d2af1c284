package enginetest

import (
	"context"

	"github.com/berth-compose/berth/engine"
)

// FeedStats plays the engine measuring a container: each sample becomes
// its newest reading, given to ContainerStats streams as it arrives. A
// sample without ID or Name gets the container's. Like the other methods
// that stand in for what happens inside a container, it is not recorded
// as a call.
func (f *Fake) FeedStats(container string, samples ...engine.StatsSample) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("measuring", container)
	if err != nil {
		return err
	}
	for _, s := range samples {
		if s.ID == "" {
			s.ID = c.ID
		}
		if s.Name == "" {
			s.Name = c.Name
		}
		c.stats = append(c.stats, s)
	}
	c.notify()
	return nil
}

// ContainerStats gives the container's newest reading (FeedStats), or a
// zero one bearing its id and name when none was fed, as the engine gives
// for a container that does not run. With stream it then gives each
// reading fed later, until the container is removed (nil) or ctx ends; a
// running container that was never fed gives nothing until it is.
func (f *Fake) ContainerStats(ctx context.Context, id string, stream bool, each func(engine.StatsSample) error) error {
	if err := f.begin(ctx, "ContainerStats", id); err != nil {
		return err
	}
	f.mu.Lock()
	c, err := f.container("reading the resource use of", id)
	if err != nil {
		f.mu.Unlock()
		return err
	}
	var first []engine.StatsSample
	switch {
	case len(c.stats) > 0:
		first = c.stats[len(c.stats)-1:]
	case !stream || !c.running():
		first = []engine.StatsSample{{ID: c.ID, Name: c.Name}}
	}
	next, wake := len(c.stats), c.changes()
	f.mu.Unlock()
	for {
		for _, s := range first {
			if err := each(s); err != nil {
				return err
			}
		}
		if !stream {
			return nil
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
		var gone bool
		first, next, wake, gone = f.statsSince(c, next)
		if gone {
			return nil
		}
	}
}

// statsSince returns the readings of c fed from index next on, where the
// next call starts, what to wait on for more, and whether c was removed.
func (f *Fake) statsSince(c *containerRecord, next int) ([]engine.StatsSample, int, <-chan struct{}, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.containers[c.ID] != c {
		return nil, next, nil, true
	}
	return append([]engine.StatsSample(nil), c.stats[next:]...), len(c.stats), c.changes(), false
}
