package convergence

import (
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// ProjectFromLabels rebuilds the part of project name that the engine
// remembers, from the com.docker.compose.* labels of what o holds. Commands
// given only -p NAME, with no compose file in reach, plan from it, so the
// same planners serve a project with or without its file: one service per
// service label, its depends_on from the label compose writes, and the
// networks and volumes labelled with the project. Oneoff containers name no
// service of the model.
func ProjectFromLabels(name string, o *Observed) *types.Project {
	p := &types.Project{
		Name:     name,
		Services: types.Services{},
		Networks: types.Networks{},
		Volumes:  types.Volumes{},
	}
	networkKeys := labelledNetworks(p, o)
	labelledVolumes(p, o)
	for _, c := range o.Containers {
		svc := c.Labels[LabelService]
		if svc == "" || c.Labels[LabelOneoff] == "True" {
			continue
		}
		if p.WorkingDir == "" {
			p.WorkingDir = c.Labels[LabelWorkingDir]
			p.ComposeFiles = splitLabel(c.Labels[LabelConfigFiles])
		}
		s, seen := p.Services[svc]
		if !seen {
			s = types.ServiceConfig{Name: svc}
			s.Image = c.Image
			s.DependsOn = parseDependsOn(c.Labels[LabelDependsOn])
		}
		for _, n := range c.Networks {
			if key, ok := networkKeys[n]; ok {
				if s.Networks == nil {
					s.Networks = map[string]*types.ServiceNetworkConfig{}
				}
				s.Networks[key] = nil
			}
		}
		p.Services[svc] = s
	}
	dropUnknownDependencies(p)
	return p
}

// labelledNetworks adds the project's networks under their compose key
// and returns engine name → key, so containers' attachments map back.
func labelledNetworks(p *types.Project, o *Observed) map[string]string {
	keys := map[string]string{}
	for engineName, n := range o.Networks {
		if n.Labels[LabelProject] != p.Name {
			continue
		}
		key := n.Labels[LabelNetwork]
		if key == "" {
			key = engineName
		}
		p.Networks[key] = types.NetworkConfig{Name: engineName, Driver: n.Driver, Labels: n.Labels}
		keys[engineName] = key
	}
	return keys
}

// labelledVolumes adds the project's named volumes under their compose key.
func labelledVolumes(p *types.Project, o *Observed) {
	for engineName, v := range o.Volumes {
		if v.Labels[LabelProject] != p.Name {
			continue
		}
		key := v.Labels[LabelVolume]
		if key == "" {
			key = engineName
		}
		p.Volumes[key] = types.VolumeConfig{Name: engineName, Driver: v.Driver, Labels: v.Labels}
	}
}

// parseDependsOn reads LabelDependsOn: "name:condition:restart" entries
// joined with ",". The label does not keep `required`, so every entry is
// required, as it is by default in a compose file.
func parseDependsOn(label string) types.DependsOnConfig {
	deps := types.DependsOnConfig{}
	for _, entry := range splitLabel(label) {
		parts := strings.Split(entry, ":")
		if parts[0] == "" {
			continue
		}
		d := types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
		if len(parts) > 1 && parts[1] != "" {
			d.Condition = parts[1]
		}
		if len(parts) > 2 {
			d.Restart = parts[2] == "true"
		}
		deps[parts[0]] = d
	}
	if len(deps) == 0 {
		return nil
	}
	return deps
}

// dropUnknownDependencies forgets depends_on entries on services that have
// no container left: the graph would refuse them, and there is nothing to
// order against anyway.
func dropUnknownDependencies(p *types.Project) {
	for name, s := range p.Services {
		for dep := range s.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				delete(s.DependsOn, dep)
			}
		}
		if len(s.DependsOn) == 0 {
			s.DependsOn = nil
		}
		p.Services[name] = s
	}
}

func splitLabel(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}
