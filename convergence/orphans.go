package convergence

import (
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
)

// Orphans lists o's containers of services p does not have: services
// removed or renamed since they were created. A service of a profile not
// enabled now is not an orphan, nor is a oneoff (`run`) container.
func Orphans(p *types.Project, o *Observed) []engine.Container {
	var out []engine.Container
	for _, c := range o.Containers {
		if isOrphan(p, c) {
			out = append(out, c)
		}
	}
	return out
}

// WithoutOrphans is o without its orphans, for planning as though they did
// not exist (COMPOSE_IGNORE_ORPHANS).
func WithoutOrphans(p *types.Project, o *Observed) *Observed {
	out := *o
	out.Containers = nil
	for _, c := range o.Containers {
		if !isOrphan(p, c) {
			out.Containers = append(out.Containers, c)
		}
	}
	return &out
}

func isOrphan(p *types.Project, c engine.Container) bool {
	svc := c.Labels[LabelService]
	_, known := p.Services[svc]
	_, disabled := p.DisabledServices[svc]
	return !known && !disabled && c.Labels[LabelOneoff] != "True"
}
