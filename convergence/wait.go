package convergence

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/engine"
)

// containerCheck says whether one container has reached what a wait wants
// (done), or can no longer reach it (err).
type containerCheck func(d engine.ContainerDetails) (done bool, err error)

// healthy is service_healthy: every container reports healthy.
func healthy(d engine.ContainerDetails) (bool, error) {
	// State first: the engine reports a stopped container as unhealthy,
	// and "exited (code 1)" is the more useful message.
	switch {
	case d.State == engine.StateExited || d.State == engine.StateDead:
		return false, fmt.Errorf("container %s exited (code %d) before it was healthy", d.Name, d.ExitCode)
	case d.Health == "healthy":
		return true, nil
	case d.Health == "unhealthy":
		return false, fmt.Errorf("container %s is unhealthy", d.Name)
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
		if err := nextRelevantEvent(ctx, &events, &errs); err != nil {
			return fmt.Errorf("watching service %s: %w", service, err)
		}
	}
}

// nextRelevantEvent waits for an event worth looking again for. Each
// healthcheck run emits exec_* events; its result comes as health_status,
// so those are skipped rather than costing a list and inspects each.
func nextRelevantEvent(ctx context.Context, events *<-chan engine.Event, errs *<-chan error) error {
	for *events != nil || *errs != nil {
		select {
		case ev, ok := <-*events:
			if !ok {
				*events = nil
			} else if !strings.HasPrefix(ev.Action, "exec_") {
				return nil
			}
		case err, ok := <-*errs:
			if ok && err != nil {
				return err
			}
			*errs = nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return errors.New("event stream ended")
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

// ready is `up --wait`: running and, with a healthcheck, healthy; a
// one-shot container that exited 0 is done too.
func ready(d engine.ContainerDetails) (bool, error) {
	switch {
	case d.State == engine.StateExited && d.ExitCode == 0:
		return true, nil
	case d.State == engine.StateExited || d.State == engine.StateDead:
		return false, fmt.Errorf("container %s exited with code %d", d.Name, d.ExitCode)
	case d.Health == "unhealthy":
		return false, fmt.Errorf("container %s is unhealthy", d.Name)
	}
	return d.State == engine.StateRunning && (d.Health == "" || d.Health == "healthy"), nil
}

// WaitReady waits until every container of the services is ready (see
// ready), driven by the engine's events. When one cannot get there, or
// timeout passes, the error explains each container that is not ready:
// state, health, last healthcheck output and last log lines.
func WaitReady(ctx context.Context, e engine.Reader, projectName string, services []string, timeout time.Duration) error {
	wctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	g, gctx := errgroup.WithContext(wctx)
	for _, svc := range services {
		g.Go(func() error { return waitService(gctx, e, projectName, svc, ready) })
	}
	err := g.Wait()
	if err == nil || ctx.Err() != nil {
		return err
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("timed out after %s waiting for services to be ready", timeout)
	}
	return fmt.Errorf("%w\n%s", err, diagnose(ctx, e, projectName, services))
}

// diagnose describes each container of services that is not ready, so the
// user sees why without another command.
func diagnose(ctx context.Context, e engine.Reader, projectName string, services []string) string {
	var b strings.Builder
	for _, svc := range services {
		filter := engine.Filter{Labels: []string{LabelProject + "=" + projectName, LabelService + "=" + svc}}
		containers, err := e.ListContainers(ctx, filter)
		if err != nil {
			fmt.Fprintf(&b, "service %s: %v\n", svc, err)
			continue
		}
		for _, c := range containers {
			d, err := e.InspectContainer(ctx, c.ID)
			if err != nil {
				continue
			}
			if ok, _ := ready(d); ok {
				continue
			}
			describeContainer(ctx, e, &b, svc, d)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func describeContainer(ctx context.Context, e engine.Reader, b *strings.Builder, svc string, d engine.ContainerDetails) {
	fmt.Fprintf(b, "service %s, container %s: %s", svc, d.Name, d.State)
	if d.State == engine.StateExited {
		fmt.Fprintf(b, " (code %d)", d.ExitCode)
	}
	if d.Health != "" {
		fmt.Fprintf(b, ", health %s", d.Health)
	}
	b.WriteString("\n")
	if n := len(d.HealthLog); n > 0 && d.HealthLog[n-1].ExitCode != 0 {
		last := d.HealthLog[n-1]
		fmt.Fprintf(b, "  last healthcheck (exit %d): %s\n", last.ExitCode, strings.TrimSpace(last.Output))
	}
	if logs, err := e.Logs(ctx, d.ID, 10); err == nil && strings.TrimSpace(logs) != "" {
		b.WriteString("  last log lines:\n")
		for _, line := range strings.Split(strings.TrimRight(logs, "\n"), "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
}
