package convergence

import (
	"context"
	"fmt"

	"github.com/berth-compose/berth/engine"
)

// containerCheck says whether one container has reached what a wait wants
// (done), or can no longer reach it (err).
type containerCheck func(d engine.ContainerDetails) (done bool, err error)

// healthy is service_healthy: every container reports healthy.
func healthy(d engine.ContainerDetails) (bool, error) {
	switch {
	case d.Health == "healthy":
		return true, nil
	case d.Health == "unhealthy":
		return false, fmt.Errorf("container %s is unhealthy", d.Name)
	case d.State == engine.StateExited || d.State == engine.StateDead:
		return false, fmt.Errorf("container %s exited (code %d) before it was healthy", d.Name, d.ExitCode)
	case d.Health == "":
		return false, fmt.Errorf("container %s has no healthcheck configured, so it can never be healthy; add one, or depend on it with condition service_started", d.Name)
	}
	return false, nil
}

// completed is service_completed_successfully: every container exited 0.
func completed(d engine.ContainerDetails) (bool, error) {
	if d.State != engine.StateExited && d.State != engine.StateDead {
		return false, nil
	}
	if d.ExitCode != 0 {
		return false, fmt.Errorf("service %s didn't complete successfully: container %s exited with code %d", d.Labels[LabelService], d.Name, d.ExitCode)
	}
	return true, nil
}

// waitService waits until check holds for every container of service. It
// subscribes to the engine's events before looking, so a change between the
// look and the subscription cannot be missed, and looks again on each
// event rather than polling on a tick.
func waitService(ctx context.Context, e engine.Reader, projectName, service string, check containerCheck) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	filter := engine.Filter{Labels: []string{LabelProject + "=" + projectName, LabelService + "=" + service}}
	events, errs := e.Events(ctx, filter)
	for {
		done, err := checkService(ctx, e, filter, check)
		if err != nil || done {
			return err
		}
		select {
		case _, ok := <-events:
			if !ok {
				events = nil
			}
		case err, ok := <-errs:
			if ok && err != nil {
				return fmt.Errorf("watching service %s: %w", service, err)
			}
			errs = nil
		case <-ctx.Done():
			return ctx.Err()
		}
		if events == nil && errs == nil {
			return fmt.Errorf("watching service %s: event stream ended", service)
		}
	}
}

func checkService(ctx context.Context, e engine.Reader, filter engine.Filter, check containerCheck) (bool, error) {
	containers, err := e.ListContainers(ctx, filter)
	if err != nil {
		return false, err
	}
	all := true
	for _, c := range containers {
		if c.Labels[LabelOneoff] == "True" {
			continue
		}
		d, err := e.InspectContainer(ctx, c.ID)
		if err != nil {
			return false, err
		}
		ok, err := check(d)
		if err != nil {
			return false, err
		}
		all = all && ok
	}
	return all && len(containers) > 0, nil
}
