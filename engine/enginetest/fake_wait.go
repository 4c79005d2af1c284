package enginetest

import (
	"context"

	"github.com/berth-compose/berth/engine"
)

// WaitContainer returns the exit code of a container that is not running,
// else waits for its die event.
func (f *Fake) WaitContainer(ctx context.Context, id string) (int, error) {
	if err := f.begin(ctx, "WaitContainer", id); err != nil {
		return 0, err
	}
	// Subscribed before looking, so a die between the two is not missed.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, errs := f.Events(ctx, engine.Filter{})
	f.mu.Lock()
	c, err := f.container("waiting for", id)
	if err != nil {
		f.mu.Unlock()
		return 0, err
	}
	cid, running, code := c.ID, c.running(), c.exitCode
	f.mu.Unlock()
	if !running {
		return code, nil
	}
	for {
		select {
		case e, ok := <-events:
			if !ok {
				return 0, <-errs
			}
			if e.Type == "container" && e.Action == "die" && e.ID == cid {
				f.mu.Lock()
				code := c.exitCode
				f.mu.Unlock()
				return code, nil
			}
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}
