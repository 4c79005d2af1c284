package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// PushProgress is one message of the engine's push stream. ID is the layer
// it concerns, empty for the messages about the whole push ("The push
// refers to repository ...", the closing digest). Current and Total count
// bytes; both are 0 when the message has no counts.
type PushProgress struct {
	ID      string
	Status  string // "Preparing", "Waiting", "Pushing", "Pushed", "Layer already exists"...
	Current int64
	Total   int64
}

// PushImage pushes the local image ref to its registry, logged in with
// auth, calling progress (when not nil) with each message of the push.
func (c *Client) PushImage(ctx context.Context, ref string, auth RegistryAuth, progress func(PushProgress)) error {
	res, err := c.api.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: auth.header()})
	if err != nil {
		return fmt.Errorf("pushing image %s: %w", ref, err)
	}
	defer res.Close()
	for m, err := range res.JSONMessages(ctx) {
		if err != nil {
			return fmt.Errorf("pushing image %s: %w", ref, err)
		}
		if m.Error != nil {
			return fmt.Errorf("pushing image %s: %w", ref, streamError(m.Error))
		}
		if u, ok := pushUpdate(m); ok && progress != nil {
			progress(u)
		}
	}
	return nil
}

// pushUpdate converts one stream message; ok is false for messages that
// say nothing (the closing one carries only the pushed digest, as aux).
func pushUpdate(m jsonstream.Message) (PushProgress, bool) {
	u := PushProgress{ID: m.ID, Status: strings.TrimSpace(m.Status)}
	if p := m.Progress; p != nil && p.Total > 0 && !p.HideCounts {
		u.Current, u.Total = p.Current, p.Total
	}
	return u, u.Status != ""
}
