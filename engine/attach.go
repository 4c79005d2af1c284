package engine

import (
	"context"
	"fmt"
	"io"

	"github.com/moby/moby/client"
)

// Stream is a live connection to a container's process, made by
// AttachContainer or AttachExec: its input goes to the process's stdin,
// its output comes from the process's stdout and stderr.
type Stream interface {
	// Write sends bytes to the process's stdin.
	io.Writer
	// CloseWrite ends the process's stdin: it reads end of file, while its
	// output keeps coming.
	CloseWrite() error
	// CopyOutput copies the process's output, stdout to stdout and stderr
	// to stderr, until the process closes it or the stream is closed. A
	// process with a TTY has one stream, which goes to stdout.
	CopyOutput(stdout, stderr io.Writer) error
	// Close ends the connection; the process keeps running.
	Close() error
}

// AttachOptions says which of a container's streams AttachContainer joins.
type AttachOptions struct {
	Stdin, Stdout, Stderr bool
	// TTY tells how the output is framed: as the terminal's bytes when the
	// container has a TTY, multiplexed otherwise. Engines before API 1.42
	// do not say, so the caller, which inspected the container, does.
	TTY bool
	// DetachKeys is the key sequence (e.g. "ctrl-p,ctrl-q") with which the
	// engine ends the attachment instead of passing it to stdin; "" is the
	// engine's default.
	DetachKeys string
}

// AttachContainer joins the streams of a container, created or running.
// Attaching before the start is how no early output is lost.
func (c *Client) AttachContainer(ctx context.Context, id string, opts AttachOptions) (Stream, error) {
	res, err := c.api.ContainerAttach(ctx, id, client.ContainerAttachOptions{
		Stream: true,
		Stdin:  opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr,
		DetachKeys: opts.DetachKeys,
	})
	if err != nil {
		return nil, fmt.Errorf("attaching to container %s: %w", id, err)
	}
	return &hijacked{res: res.HijackedResponse, tty: opts.TTY}, nil
}

// ResizeContainer sets the size of a container's TTY, in characters.
func (c *Client) ResizeContainer(ctx context.Context, id string, height, width uint) error {
	if _, err := c.api.ContainerResize(ctx, id, client.ContainerResizeOptions{Height: height, Width: width}); err != nil {
		return fmt.Errorf("resizing the terminal of container %s: %w", id, err)
	}
	return nil
}

// hijacked is a Stream over the connection the engine takes over from
// HTTP for attach and exec.
type hijacked struct {
	res client.HijackedResponse
	tty bool
}

func (h *hijacked) Write(p []byte) (int, error) { return h.res.Conn.Write(p) }

func (h *hijacked) CloseWrite() error { return h.res.CloseWrite() }

func (h *hijacked) CopyOutput(stdout, stderr io.Writer) error {
	return copyLogs(stdout, stderr, h.res.Reader, h.tty)
}

func (h *hijacked) Close() error {
	h.res.Close()
	return nil
}
