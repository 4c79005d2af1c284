package engine

import (
	"context"
	"fmt"
	"strings"

	"github.com/containerd/errdefs/pkg/errhttp"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/client"
)

// ImageID resolves an image reference to the local image id.
func (c *Client) ImageID(ctx context.Context, ref string) (string, error) {
	res, err := c.api.ImageInspect(ctx, ref)
	if err != nil {
		return "", fmt.Errorf("inspecting image %s: %w", ref, err)
	}
	return res.ID, nil
}

// RemoveImage untags ref, deleting the image once no tag is left (down --rmi).
func (c *Client) RemoveImage(ctx context.Context, ref string) error {
	if _, err := c.api.ImageRemove(ctx, ref, client.ImageRemoveOptions{PruneChildren: true}); err != nil {
		return fmt.Errorf("removing image %s: %w", ref, err)
	}
	return nil
}

// PullProgress is one message of the engine's pull stream. ID is the layer
// it concerns ("3f4d90098f5b"), or the tag for the opening "Pulling from"
// message, and empty for the closing ones ("Digest: ...", "Status: ...").
// Current and Total count bytes; both are 0 when the message has no counts.
type PullProgress struct {
	ID      string
	Status  string // "Waiting", "Downloading", "Extracting", "Pull complete"...
	Current int64
	Total   int64
}

// PullImage pulls ref, logged in with auth, calling progress (when not
// nil) with each message of the engine's stream, typed so that a renderer
// can draw per-layer bars.
func (c *Client) PullImage(ctx context.Context, ref string, auth RegistryAuth, progress func(PullProgress)) error {
	res, err := c.api.ImagePull(ctx, ref, client.ImagePullOptions{RegistryAuth: auth.header()})
	if err != nil {
		return fmt.Errorf("pulling image %s: %w", ref, err)
	}
	defer res.Close()
	for m, err := range res.JSONMessages(ctx) {
		if err != nil {
			return fmt.Errorf("pulling image %s: %w", ref, err)
		}
		if m.Error != nil {
			return fmt.Errorf("pulling image %s: %w", ref, streamError(m.Error))
		}
		if u, ok := pullUpdate(m); ok && progress != nil {
			progress(u)
		}
	}
	return nil
}

// pullUpdate converts one stream message; ok is false for messages that
// say nothing (no status).
func pullUpdate(m jsonstream.Message) (PullProgress, bool) {
	u := PullProgress{ID: m.ID, Status: strings.TrimSpace(m.Status)}
	if p := m.Progress; p != nil && p.Total > 0 && !p.HideCounts {
		u.Current, u.Total = p.Current, p.Total
	}
	return u, u.Status != ""
}

// streamError classifies an error reported inside a pull's stream by its
// HTTP-style code, as the engine would have had it come first.
func streamError(e *jsonstream.Error) error {
	if e.Code == 0 {
		return e
	}
	return classified{err: e, kind: errhttp.ToNative(e.Code)}
}
