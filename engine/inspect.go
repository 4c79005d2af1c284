package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/client"
)

// CommitOptions says how CommitContainer makes an image of a container.
type CommitOptions struct {
	// Reference is the REPOSITORY[:TAG] the image gets; "" leaves it
	// untagged, known only by its id.
	Reference string
	// Message and Author are recorded in the image's metadata.
	Message string
	Author  string
	// Changes are Dockerfile instructions ("CMD ...", "ENV K=V") applied
	// to the image's configuration.
	Changes []string
	// Pause freezes the container while its filesystem is read, so the
	// image never holds a file half written. The API's default is to
	// pause, so callers set it to keep that default.
	Pause bool
}

// TopContainer lists the processes of a running container as the engine's
// ps shows them: the column titles, then one row per process. psArgs are
// the options given to ps ("" for the engine's default, -ef).
func (c *Client) TopContainer(ctx context.Context, id, psArgs string) ([]string, [][]string, error) {
	opts := client.ContainerTopOptions{}
	if psArgs != "" {
		opts.Arguments = []string{psArgs}
	}
	res, err := c.api.ContainerTop(ctx, id, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("listing the processes of container %s: %w", id, err)
	}
	return res.Titles, res.Processes, nil
}

// ExportContainer streams a container's whole filesystem as a tar
// archive. The caller reads it to its end (or stops early) and closes it;
// nothing is buffered here, so an export of any size uses little memory.
func (c *Client) ExportContainer(ctx context.Context, id string) (io.ReadCloser, error) {
	rc, err := c.api.ContainerExport(ctx, id, client.ContainerExportOptions{})
	if err != nil {
		return nil, fmt.Errorf("exporting container %s: %w", id, err)
	}
	return rc, nil
}

// CommitContainer makes an image of a container's current filesystem and
// configuration and returns the image's id ("sha256:...").
func (c *Client) CommitContainer(ctx context.Context, id string, opts CommitOptions) (string, error) {
	res, err := c.api.ContainerCommit(ctx, id, client.ContainerCommitOptions{
		Reference: opts.Reference,
		Comment:   opts.Message,
		Author:    opts.Author,
		Changes:   opts.Changes,
		NoPause:   !opts.Pause,
	})
	if err != nil {
		return "", fmt.Errorf("committing container %s: %w", id, err)
	}
	return res.ID, nil
}
