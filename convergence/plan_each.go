package convergence

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
)

// PlanEach plans one independent action of kind on every container of the
// services (all when empty) that want accepts: kill, pause, unpause, and rm
// of stopped containers need no ordering between containers.
func PlanEach(p *types.Project, o *Observed, services []string, kind Kind, want func(engine.Container) bool, set func(*Action)) (*Plan, error) {
	if len(services) == 0 {
		services = p.ServiceNames()
	}
	b := newBuilder()
	for _, svc := range services {
		if _, ok := p.Services[svc]; !ok {
			return nil, fmt.Errorf("no such service: %s", svc)
		}
		for _, c := range sortedContainers(o.ServiceContainers(svc)) {
			if !want(c) {
				continue
			}
			a := Action{ID: kind.ID(c.Name), Kind: kind, Resource: c.Name, Service: svc, Target: c.ID}
			if set != nil {
				set(&a)
			}
			b.add(a)
		}
	}
	return b.plan()
}
