package convergence

import (
	"fmt"
	"strings"

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

// orphanWarning says which orphans there are and what removes them; nothing
// when there are none.
func orphanWarning(orphans []engine.Container) []string {
	if len(orphans) == 0 {
		return nil
	}
	names := make([]string, len(orphans))
	for i, c := range orphans {
		names[i] = c.Name
	}
	return []string{fmt.Sprintf("orphan containers %s: their services are no longer in the compose file; --remove-orphans removes them",
		strings.Join(names, ", "))}
}

func isOrphan(p *types.Project, c engine.Container) bool {
	svc := c.Labels[LabelService]
	_, known := p.Services[svc]
	_, disabled := p.DisabledServices[svc]
	return !known && !disabled && c.Labels[LabelOneoff] != "True"
}
