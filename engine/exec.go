package engine

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
)

// ExecSpec describes a process to run in a running container.
type ExecSpec struct {
	Cmd        []string
	Env        []string // KEY=VALUE, on top of the container's own
	User       string
	WorkingDir string
	Privileged bool
	// TTY gives the process a terminal; Stdin attaches its standard input.
	TTY, Stdin bool
	// DetachKeys: see AttachOptions.
	DetachKeys string
	// Height and Width are the terminal's first size (0: the engine's).
	Height, Width uint
}

// ExecState is what the engine knows of an exec'd process.
type ExecState struct {
	Running  bool
	ExitCode int
}

// CreateExec prepares a process in a running container and returns the
// exec's id; StartExec or AttachExec runs it.
func (c *Client) CreateExec(ctx context.Context, container string, spec ExecSpec) (string, error) {
	opts := client.ExecCreateOptions{
		Cmd: spec.Cmd, Env: spec.Env, User: spec.User, WorkingDir: spec.WorkingDir,
		Privileged: spec.Privileged, TTY: spec.TTY, DetachKeys: spec.DetachKeys,
		AttachStdin: spec.Stdin, AttachStdout: true, AttachStderr: true,
	}
	if spec.TTY {
		opts.ConsoleSize = client.ConsoleSize{Height: spec.Height, Width: spec.Width}
	}
	res, err := c.api.ExecCreate(ctx, container, opts)
	if err != nil {
		return "", fmt.Errorf("running a command in container %s: %w", container, err)
	}
	return res.ID, nil
}

// StartExec runs a created exec in the background, attached to nothing.
func (c *Client) StartExec(ctx context.Context, id string) error {
	if _, err := c.api.ExecStart(ctx, id, client.ExecStartOptions{Detach: true}); err != nil {
		return fmt.Errorf("starting exec %s: %w", id, err)
	}
	return nil
}

// AttachExec runs a created exec with its streams joined to the returned
// Stream; tty must be what the exec was created with.
func (c *Client) AttachExec(ctx context.Context, id string, tty bool) (Stream, error) {
	res, err := c.api.ExecAttach(ctx, id, client.ExecAttachOptions{TTY: tty})
	if err != nil {
		return nil, fmt.Errorf("starting exec %s: %w", id, err)
	}
	return &hijacked{res: res.HijackedResponse, tty: tty}, nil
}

// ResizeExec sets the size of an exec'd process's TTY, in characters.
func (c *Client) ResizeExec(ctx context.Context, id string, height, width uint) error {
	if _, err := c.api.ExecResize(ctx, id, client.ExecResizeOptions{Height: height, Width: width}); err != nil {
		return fmt.Errorf("resizing the terminal of exec %s: %w", id, err)
	}
	return nil
}

// InspectExec says whether an exec'd process still runs, and how it ended.
func (c *Client) InspectExec(ctx context.Context, id string) (ExecState, error) {
	res, err := c.api.ExecInspect(ctx, id, client.ExecInspectOptions{})
	if err != nil {
		return ExecState{}, fmt.Errorf("inspecting exec %s: %w", id, err)
	}
	return ExecState{Running: res.Running, ExitCode: res.ExitCode}, nil
}
