package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// CreateContainer creates a container from spec and returns its id.
func (c *Client) CreateContainer(ctx context.Context, spec ContainerSpec) (string, error) {
	res, err := c.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:             spec.Name,
		Config:           spec.Config,
		HostConfig:       spec.Host,
		NetworkingConfig: spec.Networking,
		Platform:         parsePlatform(spec.Platform),
	})
	if err != nil {
		return "", fmt.Errorf("creating container %s: %w", spec.Name, err)
	}
	return res.ID, nil
}

// parsePlatform reads os[/arch[/variant]]; "" is no preference.
func parsePlatform(s string) *ocispec.Platform {
	if s == "" {
		return nil
	}
	parts := append(strings.SplitN(s, "/", 3), "", "")
	return &ocispec.Platform{OS: parts[0], Architecture: parts[1], Variant: parts[2]}
}

// StartContainer starts a created or stopped container; starting a running
// one does nothing.
func (c *Client) StartContainer(ctx context.Context, id string) error {
	if _, err := c.api.ContainerStart(ctx, id, client.ContainerStartOptions{}); err != nil {
		return fmt.Errorf("starting container %s: %w", id, err)
	}
	return nil
}

// StopContainer sends the container's stop signal, then SIGKILL after
// timeout (nil: the container's own stop timeout).
func (c *Client) StopContainer(ctx context.Context, id string, timeout *time.Duration) error {
	opts := client.ContainerStopOptions{}
	if timeout != nil {
		secs := stopSeconds(*timeout)
		opts.Timeout = &secs
	}
	if _, err := c.api.ContainerStop(ctx, id, opts); err != nil {
		return fmt.Errorf("stopping container %s: %w", id, err)
	}
	return nil
}

// stopSeconds converts a stop timeout to the API's whole seconds, rounding
// up so a container is never killed before the time it was promised. A
// negative timeout is the API's -1: wait for ever.
func stopSeconds(d time.Duration) int {
	if d < 0 {
		return -1
	}
	return int((d + time.Second - 1) / time.Second)
}

// KillContainer sends signal ("": SIGKILL) to a running container.
func (c *Client) KillContainer(ctx context.Context, id, signal string) error {
	if _, err := c.api.ContainerKill(ctx, id, client.ContainerKillOptions{Signal: signal}); err != nil {
		return fmt.Errorf("killing container %s: %w", id, err)
	}
	return nil
}

// RemoveContainer removes a container, and with opts.Volumes its anonymous
// volumes.
func (c *Client) RemoveContainer(ctx context.Context, id string, opts RemoveOptions) error {
	_, err := c.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: opts.Force, RemoveVolumes: opts.Volumes})
	if err != nil {
		return fmt.Errorf("removing container %s: %w", id, err)
	}
	return nil
}

// RenameContainer gives a container a new name.
func (c *Client) RenameContainer(ctx context.Context, id, name string) error {
	if _, err := c.api.ContainerRename(ctx, id, client.ContainerRenameOptions{NewName: name}); err != nil {
		return fmt.Errorf("renaming container %s to %s: %w", id, name, err)
	}
	return nil
}

// PauseContainer freezes a running container's processes.
func (c *Client) PauseContainer(ctx context.Context, id string) error {
	if _, err := c.api.ContainerPause(ctx, id, client.ContainerPauseOptions{}); err != nil {
		return fmt.Errorf("pausing container %s: %w", id, err)
	}
	return nil
}

// UnpauseContainer resumes a paused container.
func (c *Client) UnpauseContainer(ctx context.Context, id string) error {
	if _, err := c.api.ContainerUnpause(ctx, id, client.ContainerUnpauseOptions{}); err != nil {
		return fmt.Errorf("unpausing container %s: %w", id, err)
	}
	return nil
}

// InspectContainer gives what a list leaves out: health log, exit code.
func (c *Client) InspectContainer(ctx context.Context, id string) (ContainerDetails, error) {
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return ContainerDetails{}, fmt.Errorf("inspecting container %s: %w", id, err)
	}
	return detailsFromAPI(res.Container), nil
}

func detailsFromAPI(r container.InspectResponse) ContainerDetails {
	d := ContainerDetails{Container: Container{
		ID:      r.ID,
		Name:    strings.TrimPrefix(r.Name, "/"),
		ImageID: r.Image,
		Created: parseTime(r.Created),
		Mounts:  mountsFromAPI(r.Mounts),
	}}
	if r.Config != nil {
		d.Image = r.Config.Image
		d.Labels = r.Config.Labels
		d.TTY, d.OpenStdin, d.StdinOnce = r.Config.Tty, r.Config.OpenStdin, r.Config.StdinOnce
	}
	if r.NetworkSettings != nil {
		d.Networks = sortedKeys(r.NetworkSettings.Networks)
	}
	if s := r.State; s != nil {
		d.State = ContainerState(s.Status)
		d.ExitCode = s.ExitCode
		d.StartedAt = parseTime(s.StartedAt)
		d.FinishedAt = parseTime(s.FinishedAt)
		d.Health, d.HealthLog = healthFromAPI(s.Health)
	}
	return d
}

func healthFromAPI(h *container.Health) (string, []HealthResult) {
	if h == nil || h.Status == container.NoHealthcheck {
		return "", nil
	}
	var log []HealthResult
	for _, r := range h.Log {
		if r != nil {
			log = append(log, HealthResult{ExitCode: r.ExitCode, Output: r.Output, End: r.End})
		}
	}
	return string(h.Status), log
}

// parseTime reads the engine's RFC 3339 times; the engine's zero time and
// anything unreadable are the zero time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.IsZero() {
		return time.Time{}
	}
	return t
}
