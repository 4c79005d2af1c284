package engine

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// Logs returns the last tail lines (all of them when tail < 0) of a
// container's output, stdout and stderr interleaved as written.
func (c *Client) Logs(ctx context.Context, id string, tail int) (string, error) {
	// A container without a TTY has its two streams multiplexed into
	// frames; with one, the engine sends the terminal's bytes as they are.
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return "", fmt.Errorf("reading the logs of container %s: %w", id, err)
	}
	tty := res.Container.Config != nil && res.Container.Config.Tty
	rc, err := c.api.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true, Tail: tailParam(tail)})
	if err != nil {
		return "", fmt.Errorf("reading the logs of container %s: %w", id, err)
	}
	defer rc.Close()
	out, err := readLogs(rc, tty)
	if err != nil {
		return out, fmt.Errorf("reading the logs of container %s: %w", id, err)
	}
	return out, nil
}

func tailParam(n int) string {
	if n < 0 {
		return "all"
	}
	return strconv.Itoa(n)
}

// readLogs reads a logs stream to its end, demultiplexing it unless the
// container has a TTY.
func readLogs(r io.Reader, tty bool) (string, error) {
	var b strings.Builder
	if tty {
		_, err := io.Copy(&b, r)
		return b.String(), err
	}
	_, err := stdcopy.StdCopy(&b, &b, r)
	return b.String(), err
}
