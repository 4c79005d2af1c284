package cmd

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// openServiceContainer opens a session (by project name too, when no
// compose file is in reach) and finds the container serviceContainer
// picks. The caller closes the session.
func openServiceContainer(ctx context.Context, deps *Deps, global *globalOptions, service string, index int) (*session, engine.Container, error) {
	s, err := openSessionOrByName(ctx, deps, global, []string{service})
	if err != nil {
		return nil, engine.Container{}, err
	}
	c, err := serviceContainer(ctx, s, service, index)
	if err != nil {
		s.close()
		return nil, engine.Container{}, err
	}
	return s, c, nil
}

// serviceContainer finds the one container a single-container command
// (attach, exec, port, export, commit) acts on: a running container of service, number
// index when index > 0, else the lowest number; a service container wins
// over a one-off `run` container of the same number, as in docker compose.
func serviceContainer(ctx context.Context, s *session, service string, index int) (engine.Container, error) {
	if index < 0 {
		return engine.Container{}, fmt.Errorf("invalid --index %d: container numbers start at 1", index)
	}
	if !s.fromLabels {
		// The service's containers are all it takes: one list call, not
		// the whole snapshot, keeps exec close to docker exec's speed.
		cs, err := s.engine.ListContainers(ctx, engine.Filter{Labels: []string{
			convergence.LabelProject + "=" + s.project.Name, convergence.LabelService + "=" + service}})
		if err != nil {
			return engine.Container{}, err
		}
		return pickServiceContainer(cs, service, index)
	}
	o, err := s.observe(ctx)
	if err != nil {
		return engine.Container{}, err
	}
	if err := requireServices(s, []string{service}); err != nil {
		return engine.Container{}, err
	}
	return pickServiceContainer(o.Containers, service, index)
}

// pickServiceContainer is serviceContainer's choice among the project's
// containers.
func pickServiceContainer(cs []engine.Container, service string, index int) (engine.Container, error) {
	var found []engine.Container
	for _, c := range cs {
		if c.Labels[convergence.LabelService] != service || !isRunning(c) {
			continue
		}
		if index > 0 && c.Labels[convergence.LabelContainerNumber] != strconv.Itoa(index) {
			continue
		}
		found = append(found, c)
	}
	if len(found) == 0 {
		if index > 0 {
			return engine.Container{}, fmt.Errorf("service %q has no running container number %d: see `berth ps %s`", service, index, service)
		}
		return engine.Container{}, fmt.Errorf("service %q has no running container: start it with `berth up -d %s`", service, service)
	}
	slices.SortStableFunc(found, func(a, b engine.Container) int {
		return cmp.Or(cmp.Compare(containerNumber(a), containerNumber(b)), cmp.Compare(isOneoff(a), isOneoff(b)))
	})
	return found[0], nil
}

// checkServices is requireServices for a command that has not observed
// yet: a project known only by name learns its services from the engine
// first.
func checkServices(ctx context.Context, s *session, services []string) error {
	if s.fromLabels && len(s.project.Services) == 0 {
		if _, err := s.observe(ctx); err != nil {
			return err
		}
	}
	return requireServices(s, services)
}

// requireServices refuses a service name the project does not have. Call
// it after observe: a project known only by name has then been rebuilt
// from the engine's labels, and knows the services its containers name.
func requireServices(s *session, services []string) error {
	for _, name := range services {
		if _, ok := s.project.Services[name]; ok {
			continue
		}
		if s.fromLabels {
			return fmt.Errorf("no such service: %s (no container of project %s belongs to it)", name, s.project.Name)
		}
		return fmt.Errorf("no such service: %s", name)
	}
	return nil
}

// containerNumber is the container's number label; 0 when it has none.
func containerNumber(c engine.Container) int {
	n, _ := strconv.Atoi(c.Labels[convergence.LabelContainerNumber])
	return n
}

// isOneoff is 1 for a `run` container, 0 for a service's own: a sort key.
func isOneoff(c engine.Container) int {
	if c.Labels[convergence.LabelOneoff] == "True" {
		return 1
	}
	return 0
}
