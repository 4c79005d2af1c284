package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/api/types/events"
	"github.com/moby/moby/client"
)

// Events streams engine events whose actor's attributes match f, from now
// until ctx ends. The error channel yields at most one error (ctx.Err()
// when ctx ends), then both channels close.
//
// The engine matches label filters against an event's attributes: a
// container's events carry its labels, but network and volume events carry
// none, so a label filter selects container events only.
func (c *Client) Events(ctx context.Context, f Filter) (<-chan Event, <-chan error) {
	out := make(chan Event)
	errs := make(chan error, 1)
	res := c.api.Events(ctx, client.EventsListOptions{Filters: apiFilters(f)})
	go func() {
		defer close(out)
		defer close(errs)
		errs <- forwardEvents(ctx, res, out)
	}()
	return out, errs
}

// forwardEvents converts messages until the stream or ctx ends, and says
// why it ended.
func forwardEvents(ctx context.Context, res client.EventsResult, out chan<- Event) error {
	for {
		select {
		case m := <-res.Messages:
			select {
			case out <- eventFromAPI(m):
			case <-ctx.Done():
				return ctx.Err()
			}
		case err := <-res.Err:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("watching engine events: %w", err)
		}
	}
}

func eventFromAPI(m events.Message) Event {
	t := time.Unix(0, m.TimeNano)
	if m.TimeNano == 0 {
		t = time.Unix(m.Time, 0)
	}
	return Event{
		Type:       string(m.Type),
		Action:     string(m.Action),
		ID:         m.Actor.ID,
		Attributes: m.Actor.Attributes,
		Time:       t,
	}
}
