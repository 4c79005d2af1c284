package cmd

import (
	"context"
	"fmt"
	"slices"

	"github.com/berth-compose/berth/engine"
)

// replica finds the container of service with number index (0: the
// lowest-numbered one), as attach, exec, cp and port address a service.
// running asks for one that runs; the error then says how to start it.
func (s *session) replica(ctx context.Context, service string, index int, running bool) (engine.Container, error) {
	if index < 0 {
		return engine.Container{}, fmt.Errorf("invalid --index %d: container numbers start at 1", index)
	}
	o, err := s.observe(ctx)
	if err != nil {
		return engine.Container{}, err
	}
	if s.fromLabels && !slices.Contains(s.project.ServiceNames(), service) {
		return engine.Container{}, fmt.Errorf("no such service %q in project %s", service, s.project.Name)
	}
	byNumber := o.ServiceContainers(service)
	numbers := make([]int, 0, len(byNumber))
	for n := range byNumber {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	if index == 0 && len(numbers) > 0 {
		index = numbers[0]
	}
	c, ok := byNumber[index]
	switch {
	case !ok && len(numbers) == 0:
		return engine.Container{}, fmt.Errorf("service %q has no container: run `berth up -d %s` first", service, service)
	case !ok:
		return engine.Container{}, fmt.Errorf("service %q has no container number %d: its containers are numbered %v", service, index, numbers)
	case running && c.State != engine.StateRunning:
		return engine.Container{}, fmt.Errorf("container %s is %s, not running: start it first with `berth start %s`", c.Name, c.State, service)
	}
	return c, nil
}
