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

// LogOptions says which part of a container's output StreamLogs sends.
type LogOptions struct {
	// Follow keeps the stream open while the container runs: it ends when
	// the container's current run ends.
	Follow bool
	// Tail is how many of the last lines to send first; < 0 sends all.
	Tail int
	// Since and Until bound the lines by the time they were logged, in any
	// form `docker logs` accepts: RFC 3339 times, unix timestamps
	// ("1700000000.123456789") or durations before now ("10m"). The client
	// library turns durations into timestamps on this side, as the docker
	// CLI does, so the engine never needs to agree with berth's clock on
	// what "now" is.
	Since, Until string
	// Timestamps starts each line with the time the engine logged it.
	Timestamps bool
}

// StreamLogs copies a container's output as the engine sends it, the
// container's stdout to stdout and its stderr to stderr, until the output
// ends (with Follow: until the current run ends) or ctx ends. Nothing is
// held in memory beyond the frame being copied.
func (c *Client) StreamLogs(ctx context.Context, id string, opts LogOptions, stdout, stderr io.Writer) error {
	tty, err := c.hasTTY(ctx, id)
	if err != nil {
		return fmt.Errorf("reading the logs of container %s: %w", id, err)
	}
	rc, err := c.api.ContainerLogs(ctx, id, client.ContainerLogsOptions{
		ShowStdout: true, ShowStderr: true,
		Follow: opts.Follow, Tail: tailParam(opts.Tail),
		Since: opts.Since, Until: opts.Until, Timestamps: opts.Timestamps,
	})
	if err != nil {
		return fmt.Errorf("reading the logs of container %s: %w", id, err)
	}
	defer rc.Close()
	if err := copyLogs(stdout, stderr, rc, tty); err != nil && ctx.Err() == nil {
		return fmt.Errorf("reading the logs of container %s: %w", id, err)
	}
	return ctx.Err()
}

// Logs returns the last tail lines (all of them when tail < 0) of a
// container's output, stdout and stderr interleaved as written.
func (c *Client) Logs(ctx context.Context, id string, tail int) (string, error) {
	var b strings.Builder
	err := c.StreamLogs(ctx, id, LogOptions{Tail: tail}, &b, &b)
	return b.String(), err
}

// hasTTY says how the logs stream is framed: a container without a TTY
// has its two streams multiplexed into frames, while one with a TTY gets
// the terminal's bytes as they are, and frame parsing would mangle them.
func (c *Client) hasTTY(ctx context.Context, id string) (bool, error) {
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return false, err
	}
	return res.Container.Config != nil && res.Container.Config.Tty, nil
}

func tailParam(n int) string {
	if n < 0 {
		return "all"
	}
	return strconv.Itoa(n)
}

// copyLogs copies a logs stream to its end, demultiplexing it unless the
// container has a TTY.
func copyLogs(stdout, stderr io.Writer, r io.Reader, tty bool) error {
	if tty {
		_, err := io.Copy(stdout, r)
		return err
	}
	_, err := stdcopy.StdCopy(stdout, stderr, r)
	return err
}
