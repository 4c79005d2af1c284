package engine

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
)

// CopyToContainer unpacks opts.Archive into the container under
// opts.DestDir. As with `docker cp`, a file never replaces a directory nor
// the other way round: a config aimed at an existing directory fails
// instead of wiping it.
func (c *Client) CopyToContainer(ctx context.Context, id string, opts CopyOptions) error {
	_, err := c.api.CopyToContainer(ctx, id, client.CopyToContainerOptions{
		DestinationPath: opts.DestDir,
		Content:         opts.Archive,
		CopyUIDGID:      opts.CopyUIDGID,
	})
	if err != nil {
		return fmt.Errorf("copying files into container %s: %w", id, err)
	}
	return nil
}
