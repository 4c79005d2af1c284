package convergence

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// imageLookups bounds the image inspects in flight: a project with many
// images should not open a connection per image at once.
const imageLookups = 8

// ImageRefs lists, sorted and once each, the image references the
// project's services run: what ObserveImages should look up for `up`.
// The services left out of the selection that have a build section are
// looked up too: a selected service's build may read their image, which
// is built only when missing.
func ImageRefs(p *types.Project) []string {
	seen := map[string]bool{}
	var refs []string
	add := func(s types.ServiceConfig) {
		if ref := project.ImageName(p.Name, s); !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	for _, s := range p.Services {
		add(s)
	}
	for _, s := range p.DisabledServices {
		if s.Build != nil {
			add(s)
		}
	}
	sort.Strings(refs)
	return refs
}

// ObserveImages resolves each reference to the id of the image the engine
// holds for it; a reference the engine lacks is left out of the map. It is
// separate from Observe because only the commands that create containers
// need it; they run both at once.
//
// It inspects each reference rather than listing every image: the engine
// then resolves short names, digests and the default registry itself, a
// project has few distinct images, and the inspects run in parallel, so
// it costs about one round trip (as one list would) however large the
// engine's image store is.
func ObserveImages(ctx context.Context, r engine.Reader, refs []string) (map[string]string, error) {
	var mu sync.Mutex
	ids := map[string]string{}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(imageLookups)
	for _, ref := range refs {
		g.Go(func() error {
			id, err := r.ImageID(ctx, ref)
			switch {
			case engine.IsNotFound(err):
				return nil
			case err != nil:
				return fmt.Errorf("looking up image %s: %w", ref, err)
			}
			mu.Lock()
			ids[ref] = id
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return ids, nil
}
