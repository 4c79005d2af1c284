package project

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// ContainerNameConflictError says several services ask for one
// container_name. The engine would create the first and refuse the next
// halfway through a plan, so commands that create check this before any
// engine call.
type ContainerNameConflictError struct {
	Name     string
	Services []string // sorted
}

func (e *ContainerNameConflictError) Error() string {
	return fmt.Sprintf("services %s all set container_name %q, but a container name is unique on an engine; give each its own container_name, or drop it to let berth name them",
		joinAnd(e.Services), e.Name)
}

// joinAnd lists names as prose: "a and b", "a, b and c".
func joinAnd(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// CheckContainerNames returns one ContainerNameConflictError per
// container_name shared by several services, in name order, joined.
func CheckContainerNames(p *types.Project) error {
	byName := map[string][]string{}
	for name, s := range p.Services {
		if s.ContainerName != "" {
			byName[s.ContainerName] = append(byName[s.ContainerName], name)
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if services := byName[n]; len(services) > 1 {
			sort.Strings(services)
			errs = append(errs, &ContainerNameConflictError{Name: n, Services: services})
		}
	}
	return errors.Join(errs...)
}
