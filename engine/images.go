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

// PullImage pulls ref, calling progress (when not nil) with one line per
// message of the engine, such as "Downloading 3f4d90098f5b 1.2MB/3.4MB".
func (c *Client) PullImage(ctx context.Context, ref string, progress func(status string)) error {
	res, err := c.api.ImagePull(ctx, ref, client.ImagePullOptions{})
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
		if line := pullLine(m); line != "" && progress != nil {
			progress(line)
		}
	}
	return nil
}

// pullLine is one message as "status id current/total", leaving out the
// parts the message lacks.
func pullLine(m jsonstream.Message) string {
	parts := []string{m.Status, m.ID}
	if p := m.Progress; p != nil && p.Total > 0 && !p.HideCounts {
		parts = append(parts, humanBytes(p.Current)+"/"+humanBytes(p.Total))
	}
	return strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
}

// humanBytes writes n in decimal units, as the docker CLI's progress does.
func humanBytes(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	v, suffixes := float64(n)/unit, "kMGTPE"
	i := 0
	for ; v >= unit && i < len(suffixes)-1; i++ {
		v /= unit
	}
	return fmt.Sprintf("%.1f%cB", v, suffixes[i])
}

// streamError classifies an error reported inside a pull's stream by its
// HTTP-style code, as the engine would have had it come first.
func streamError(e *jsonstream.Error) error {
	if e.Code == 0 {
		return e
	}
	return classified{err: e, kind: errhttp.ToNative(e.Code)}
}
