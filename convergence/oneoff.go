package convergence

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
)

// Oneoff is how `run` changes a service for its one-off container. Zero
// values keep what the service says.
type Oneoff struct {
	// Name is the container's name: --name, else
	// <project>-<service>-run-<first 12 digits of the slug>.
	Name       string
	Command    []string
	Entrypoint []string
	Env        []string // KEY=VALUE, over the service's environment
	Labels     map[string]string
	User       string
	WorkingDir string
	Volumes    []types.ServiceVolumeConfig // added to the service's
	// Ports are published instead of the service's, which a one-off only
	// publishes with ServicePorts (--service-ports).
	Ports        []types.ServicePortConfig
	ServicePorts bool
	CapAdd       []string
	CapDrop      []string
	// TTY and Stdin are the container's terminal and open stdin (-T, -i).
	TTY, Stdin bool
}

// OneoffName is the name docker compose gives a one-off container.
func OneoffName(projectName, service, slug string) string {
	return projectName + "-" + service + "-run-" + slug[:12]
}

// OneoffService is s as `run` creates it: the user's overrides applied,
// no restart policy (a one-off ends when its command does), and its ports
// left unpublished unless asked for.
func OneoffService(s types.ServiceConfig, o Oneoff) types.ServiceConfig {
	s.ContainerName = o.Name
	if o.Command != nil {
		s.Command = types.ShellCommand(o.Command)
	}
	if o.Entrypoint != nil {
		s.Entrypoint = types.ShellCommand(o.Entrypoint)
		if o.Command == nil {
			s.Command = types.ShellCommand{} // the service's command was for its own entrypoint
		}
	}
	s.Environment = maps.Clone(s.Environment)
	if len(o.Env) > 0 && s.Environment == nil {
		s.Environment = types.MappingWithEquals{}
	}
	s.Environment.OverrideBy(types.NewMappingWithEquals(o.Env))
	s.Labels = maps.Clone(s.Labels)
	if len(o.Labels) > 0 && s.Labels == nil {
		s.Labels = types.Labels{}
	}
	maps.Copy(s.Labels, o.Labels)
	if o.User != "" {
		s.User = o.User
	}
	if o.WorkingDir != "" {
		s.WorkingDir = o.WorkingDir
	}
	s.Volumes = append(append([]types.ServiceVolumeConfig(nil), s.Volumes...), o.Volumes...)
	if !o.ServicePorts {
		s.Ports = nil
	}
	s.Ports = append(append([]types.ServicePortConfig(nil), s.Ports...), o.Ports...)
	s.CapAdd = append(append([]string(nil), s.CapAdd...), o.CapAdd...)
	s.CapDrop = append(append([]string(nil), s.CapDrop...), o.CapDrop...)
	s.Tty, s.StdinOpen = o.TTY, o.Stdin
	s.Restart = ""
	if s.Deploy != nil {
		d := *s.Deploy
		d.RestartPolicy = nil
		s.Deploy = &d
	}
	return s
}

// CreateOneoff creates the container of a one-off service (OneoffService)
// and makes it complete: attached to each of its networks, its configs
// and secrets written. A container that cannot be completed is removed.
func CreateOneoff(ctx context.Context, e engine.Writer, p *types.Project, s types.ServiceConfig, o SpecOptions) (string, []string, error) {
	spec, warnings, err := ContainerSpecFor(p, s, 1, o)
	if err != nil {
		return "", nil, err
	}
	extra, err := ExtraNetworks(p, s, 1, o)
	if err != nil {
		return "", nil, err
	}
	id, err := e.CreateContainer(ctx, spec)
	if err != nil {
		return "", nil, err
	}
	err = completeOneoff(ctx, e, id, spec, extra)
	if err != nil {
		if rmErr := e.RemoveContainer(context.WithoutCancel(ctx), id, engine.RemoveOptions{Force: true, Volumes: true}); rmErr != nil {
			err = errors.Join(err, fmt.Errorf("removing the incomplete container: %w", rmErr))
		}
		return "", nil, err
	}
	return id, warnings, nil
}

func completeOneoff(ctx context.Context, e engine.Writer, id string, spec engine.ContainerSpec, extra []NetworkAttachment) error {
	for _, a := range extra {
		if err := e.ConnectNetwork(ctx, a.Network, id, a.Endpoint); err != nil {
			return fmt.Errorf("container %s: %w", spec.Name, err)
		}
	}
	if err := copyFiles(ctx, e, id, spec.Files, time.Now()); err != nil {
		return fmt.Errorf("container %s: %w", spec.Name, err)
	}
	return nil
}
