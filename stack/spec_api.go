package stack

import (
	"fmt"

	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
)

// apiField is a spec field an engine below since drops without a word.
type apiField struct {
	since     string
	attribute string
	set       func(swarm.ServiceSpec) bool
}

var apiFields = []apiField{
	{"1.44", "healthcheck.start_interval", func(s swarm.ServiceSpec) bool {
		h := s.TaskTemplate.ContainerSpec.Healthcheck
		return h != nil && h.StartInterval != 0
	}},
	{"1.46", "oom_score_adj", func(s swarm.ServiceSpec) bool { return s.TaskTemplate.ContainerSpec.OomScoreAdj != 0 }},
	{"1.45", "volumes: subpath", func(s swarm.ServiceSpec) bool {
		for _, m := range s.TaskTemplate.ContainerSpec.Mounts {
			if m.VolumeOptions != nil && m.VolumeOptions.Subpath != "" {
				return true
			}
		}
		return false
	}},
	{"1.44", "volumes: read_only of a bind with submounts", func(s swarm.ServiceSpec) bool {
		for _, m := range s.TaskTemplate.ContainerSpec.Mounts {
			if m.BindOptions != nil && (m.BindOptions.ReadOnlyNonRecursive || m.BindOptions.ReadOnlyForceRecursive) {
				return true
			}
		}
		return false
	}},
}

// APIWarnings names the attributes of the specs that the engine, speaking
// apiVersion, would drop silently: a user should hear it from berth.
func APIWarnings(specs []swarm.ServiceSpec, apiVersion string) []string {
	var out []string
	for _, s := range specs {
		if s.TaskTemplate.ContainerSpec == nil {
			continue
		}
		for _, f := range apiFields {
			if engine.APIBefore(apiVersion, f.since) && f.set(s) {
				out = append(out, fmt.Sprintf("service %s: %s needs Engine API %s, and this engine speaks %s: the swarm ignores it", s.Name, f.attribute, f.since, apiVersion))
			}
		}
	}
	return out
}
