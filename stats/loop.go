package stats

import (
	"bytes"
	"context"
	"errors"
	"io"
	"time"

	"github.com/berth-compose/berth/engine"
)

// once waits for one reading of every container, or gives up on those
// without one after onceTimeout, and prints one table, without escape
// codes even on a terminal, as docker prints it. No container, no table.
func (m *monitor) once(ctx context.Context) error {
	if len(m.tracked) == 0 {
		return nil
	}
	timer := time.NewTimer(max(onceTimeout, m.opts.Timeout))
	defer timer.Stop()
	for !m.settled() {
		select {
		case u := <-m.updates:
			m.apply(u)
		case <-timer.C:
			m.giveUp()
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return m.opts.Format.Write(m.out, m.rows(), m.opts.NoTrunc)
}

// stream writes a table at each tick, once every container listed at the
// start had its first reading (or the time for it passed), and keeps the
// set of containers in step with the engine's events meanwhile.
func (m *monitor) stream(ctx context.Context, events <-chan engine.Event, eventErrs <-chan error) error {
	ticks := m.opts.ticks
	if ticks == nil {
		ticker := time.NewTicker(cmpOr(m.opts.Interval, defaultInterval))
		defer ticker.Stop()
		ticks = ticker.C
	}
	timeout := cmpOr(m.opts.Timeout, defaultTimeout)
	ready := false
	for {
		select {
		case now := <-ticks:
			m.expire(now, timeout)
			if ready = ready || m.settled(); ready {
				if err := m.draw(); err != nil {
					return err
				}
			}
		case u := <-m.updates:
			m.apply(u)
		case e, ok := <-events:
			if !ok {
				return eventsEnded(<-eventErrs)
			}
			m.event(ctx, e)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// event adds a container that starts (with All, one created) and drops
// one that stops (with All, only one removed), as docker stats follows
// them; scaling up and down shows as it happens.
func (m *monitor) event(ctx context.Context, e engine.Event) {
	if e.Type != "container" {
		return
	}
	switch {
	case e.Action == "start", e.Action == "create" && m.opts.All:
		m.track(ctx, e.ID, e.Attributes["name"])
	case e.Action == "die" && !m.opts.All, e.Action == "destroy":
		m.untrack(e.ID)
	}
}

// eventsEnded says how the events stream's end ends Run: an engine that
// went away mid-stream (restarted) ends it quietly, as it ends docker
// stats; any other failure is an error.
func eventsEnded(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return nil
	}
	return err
}

// draw writes the current table: over the last one when live, else
// after it.
func (m *monitor) draw() error {
	var b bytes.Buffer
	if err := m.opts.Format.Write(&b, m.rows(), m.opts.NoTrunc); err != nil {
		return err
	}
	data := b.Bytes()
	if m.opts.Live {
		data = frame(data, size(m.opts.Width), size(m.opts.Height))
	}
	_, err := m.out.Write(data)
	return err
}

func size(f func() int) int {
	if f == nil {
		return 0
	}
	return f()
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
