package engine

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
)

// PathStat describes a path inside a container, as the engine stats it
// without following a symlink at its end.
type PathStat struct {
	Name  string // the last element of the path
	Size  int64
	Mode  os.FileMode
	Mtime time.Time
	// LinkTarget, for a symlink, is the absolute path inside the container
	// it leads to, every link on the way resolved.
	LinkTarget string
}

// StatContainerPath stats path inside the container, a stopped one
// included; a path that does not exist is an error for which IsNotFound
// holds (as it does for a missing container: look the container up
// first to tell the two apart).
func (c *Client) StatContainerPath(ctx context.Context, id, path string) (PathStat, error) {
	res, err := c.api.ContainerStatPath(ctx, id, client.ContainerStatPathOptions{Path: path})
	if err != nil {
		return PathStat{}, fmt.Errorf("looking up %s in container %s: %w", path, id, err)
	}
	return pathStatFromAPI(res.Stat), nil
}

// CopyFromContainer streams a tar archive of path inside the container,
// its top entry named after path's last element ("." for DIR/.), with the
// engine's stat of path. The caller closes the stream.
func (c *Client) CopyFromContainer(ctx context.Context, id, path string) (io.ReadCloser, PathStat, error) {
	res, err := c.api.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		return nil, PathStat{}, fmt.Errorf("copying %s out of container %s: %w", path, id, err)
	}
	return res.Content, pathStatFromAPI(res.Stat), nil
}

func pathStatFromAPI(s container.PathStat) PathStat {
	return PathStat{Name: s.Name, Size: s.Size, Mode: s.Mode, Mtime: s.Mtime, LinkTarget: s.LinkTarget}
}
