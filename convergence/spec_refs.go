package convergence

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// resolvedRefs is what a service's references to other services become on
// the engine: network_mode, ipc and pid "service:X" turn into
// "container:<X's first container>", and volumes_from entries name
// containers.
type resolvedRefs struct {
	networkMode, ipc, pid string
	// volumesFrom keeps each entry's :ro/:rw, which the engine honours.
	volumesFrom []string
}

func resolveRefs(s types.ServiceConfig, container func(string) string) (resolvedRefs, error) {
	var r resolvedRefs
	var err error
	if r.networkMode, err = resolveMode("network_mode", "network namespace", s.NetworkMode, container); err != nil {
		return r, err
	}
	if r.ipc, err = resolveMode("ipc", "IPC namespace", s.Ipc, container); err != nil {
		return r, err
	}
	if r.pid, err = resolveMode("pid", "PID namespace", s.Pid, container); err != nil {
		return r, err
	}
	for _, v := range s.VolumesFrom {
		ref, mode, err := resolveVolumesFrom(v, container)
		if err != nil {
			return r, err
		}
		if mode != "" {
			ref += ":" + mode
		}
		r.volumesFrom = append(r.volumesFrom, ref)
	}
	return r, nil
}

// resolveMode resolves one "service:X" namespace reference; other values
// (host, none, container:name...) pass unchanged.
func resolveMode(attribute, what, value string, container func(string) string) (string, error) {
	name, ok := strings.CutPrefix(value, types.ServicePrefix)
	if !ok {
		return value, nil
	}
	id := lookupContainer(name, container)
	if id == "" {
		return "", fmt.Errorf("%s: cannot share the %s of service %s: it has no container; start it first", attribute, what, name)
	}
	return types.ContainerPrefix + id, nil
}

// resolveVolumesFrom resolves "service[:mode]" or "container:name[:mode]"
// to a container reference and its access mode.
func resolveVolumesFrom(entry string, container func(string) string) (ref, mode string, err error) {
	if name, ok := strings.CutPrefix(entry, types.ContainerPrefix); ok {
		ref, mode, _ = strings.Cut(name, ":")
		return ref, mode, nil
	}
	service, mode, _ := strings.Cut(entry, ":")
	id := lookupContainer(service, container)
	if id == "" {
		return "", "", fmt.Errorf("volumes_from: cannot share the volumes of service %s: it has no container; start it first", service)
	}
	return id, mode, nil
}

func lookupContainer(service string, container func(string) string) string {
	if container == nil {
		return ""
	}
	return container(service)
}

// ResolveServiceReferences returns s with its references to other services
// replaced the way docker compose replaces them before it creates a
// container and hashes it: network_mode, ipc and pid "service:X" become
// "container:<ref>", and each volumes_from entry becomes the bare container
// reference (compose drops the :ro/:rw there; the engine spec keeps it).
// container returns X's first container, "" when X has none.
func ResolveServiceReferences(s types.ServiceConfig, container func(service string) string) (types.ServiceConfig, error) {
	r, err := resolveRefs(s, container)
	if err != nil {
		return s, err
	}
	s.NetworkMode, s.Ipc, s.Pid = r.networkMode, r.ipc, r.pid
	s.VolumesFrom = slices.Clone(r.volumesFrom) // the caller's project keeps its own slice
	for i, v := range s.VolumesFrom {
		s.VolumesFrom[i], _, _ = strings.Cut(v, ":")
	}
	return s, nil
}

// ExpectedConfigHash is the config-hash docker compose stamps on a container
// of s: the hash of s with its service references resolved to container
// ids (container should return ids for it to match). When a reference
// cannot be resolved, compose hashes s as written, which then matches no
// container and so recreates.
//
// Passing it as SpecOptions.ConfigHash makes berth's labels equal compose's
// for services with such references; the planner must then compare with the
// same value, since the hash moves whenever a referenced container is
// replaced (which compose wants: the old namespace is gone).
func ExpectedConfigHash(s types.ServiceConfig, container func(service string) string) (string, error) {
	resolved, err := ResolveServiceReferences(s, container)
	if err != nil {
		resolved = s
	}
	return ServiceHash(resolved)
}

// links are the engine's legacy links, "container:alias", in docker
// compose's form: for each container of a linked service, its alias, then
// <service>-<n> and <project>-<service>-<n>, where n is the number of the
// container being created (not the linked one), as compose has it. The
// linked containers are the desired ones: links imply a dependency, so they
// exist by the time this container is created.
func (b *specBuilder) links() []string {
	var out []string
	for _, l := range b.s.Links {
		service, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = service
		}
		linked, exists := b.p.Services[service]
		if !exists {
			continue // disabled by a profile: compose finds no container either
		}
		n := strconv.Itoa(b.number)
		for i := 1; i <= linked.GetScale(); i++ {
			name := ContainerName(b.p.Name, linked, i)
			out = append(out, name+":"+alias, name+":"+service+"-"+n, name+":"+b.p.Name+"-"+service+"-"+n)
		}
	}
	for _, l := range b.s.ExternalLinks {
		name, alias, ok := strings.Cut(l, ":")
		if !ok {
			alias = name
		}
		out = append(out, name+":"+alias)
	}
	return out
}

// RefHash carries what stamping docker compose's config hash on a container
// needs when its service references other services' containers: compose
// hashes the service with those references resolved to container ids (see
// ExpectedConfigHash), and the id of a container this same plan creates is
// only known while applying.
type RefHash struct {
	Service types.ServiceConfig
	// Refs maps each referenced service to its first container.
	Refs map[string]ContainerRef
}

// ContainerRef is a referenced service's first container: its name, and
// its id when it exists before the plan runs.
type ContainerRef struct {
	Name string
	ID   string // "" when the plan creates it
}

// Hash is the config hash, with created giving the id of a container the
// plan created, by name ("" when it did not create it).
func (r *RefHash) Hash(created func(name string) string) (string, error) {
	return ExpectedConfigHash(r.Service, func(service string) string {
		ref := r.Refs[service]
		if id := created(ref.Name); id != "" {
			return id
		}
		return ref.ID
	})
}
