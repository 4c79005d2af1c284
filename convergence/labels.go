package convergence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The labels docker compose reads and writes. berth writes the same ones,
// with the same values, so that each tool recognises, adopts and leaves
// alone the other's containers, networks and volumes.
const (
	LabelProject         = "com.docker.compose.project"
	LabelService         = "com.docker.compose.service"
	LabelContainerNumber = "com.docker.compose.container-number"
	// LabelOneoff is "False" on service containers, "True" on `run` ones.
	LabelOneoff = "com.docker.compose.oneoff"
	// LabelSlug is the random id of a `run` container, whose first 12
	// digits end its name.
	LabelSlug            = "com.docker.compose.slug"
	LabelWorkingDir      = "com.docker.compose.project.working_dir"
	LabelConfigFiles     = "com.docker.compose.project.config_files"
	LabelEnvironmentFile = "com.docker.compose.project.environment_file"
	LabelConfigHash      = "com.docker.compose.config-hash"
	// LabelImage holds the id of the image the container was created from,
	// so a pulled or rebuilt image under the same name recreates it.
	LabelImage = "com.docker.compose.image"
	// LabelDependsOn lists depends_on as "service:condition:restart",
	// comma-joined.
	LabelDependsOn = "com.docker.compose.depends_on"
	LabelVersion   = "com.docker.compose.version"
	// LabelReplace is set on a container created to replace another; it
	// holds the replaced one's short name (container_name or service-N).
	LabelReplace = "com.docker.compose.replace"
	LabelNetwork = "com.docker.compose.network"
	LabelVolume  = "com.docker.compose.volume"
)

// The sections SectionHashes splits a service into.
const (
	SectionImage       = "image"
	SectionCommand     = "command"
	SectionEnvironment = "environment"
	SectionPorts       = "ports"
	SectionVolumes     = "volumes"
	SectionNetworks    = "networks"
	SectionResources   = "resources"
	// SectionOther holds every attribute no other section names, attributes
	// added to compose-go later included, so that a change ServiceHash sees
	// always shows in some section.
	SectionOther = "other"
)

// sectionOf maps a service attribute (its JSON key) to its section.
var sectionOf = map[string]string{
	"image": SectionImage, "platform": SectionImage,

	"command": SectionCommand, "entrypoint": SectionCommand,
	"working_dir": SectionCommand, "user": SectionCommand,

	"environment": SectionEnvironment, "env_file": SectionEnvironment,

	"ports": SectionPorts, "expose": SectionPorts,

	"volumes": SectionVolumes, "tmpfs": SectionVolumes,
	"volumes_from": SectionVolumes, "volume_driver": SectionVolumes,

	"networks": SectionNetworks, "network_mode": SectionNetworks, "mac_address": SectionNetworks,
	"links": SectionNetworks, "external_links": SectionNetworks, "extra_hosts": SectionNetworks,
	"dns": SectionNetworks, "dns_opt": SectionNetworks, "dns_search": SectionNetworks,

	"cpu_count": SectionResources, "cpu_percent": SectionResources, "cpu_period": SectionResources,
	"cpu_quota": SectionResources, "cpu_rt_period": SectionResources, "cpu_rt_runtime": SectionResources,
	"cpus": SectionResources, "cpuset": SectionResources, "cpu_shares": SectionResources,
	"mem_limit": SectionResources, "mem_reservation": SectionResources, "memswap_limit": SectionResources,
	"mem_swappiness": SectionResources, "pids_limit": SectionResources, "shm_size": SectionResources,
	"oom_kill_disable": SectionResources, "oom_score_adj": SectionResources, "blkio_config": SectionResources,
	"ulimits": SectionResources, "deploy": SectionResources, "devices": SectionResources,
	"device_cgroup_rules": SectionResources, "gpus": SectionResources,
}

// Sections lists every section SectionHashes returns, sorted.
func Sections() []string {
	return []string{SectionCommand, SectionEnvironment, SectionImage, SectionNetworks,
		SectionOther, SectionPorts, SectionResources, SectionVolumes}
}

// SectionHashes hashes each section of s (see the Section constants) apart,
// over the same attributes ServiceHash covers: comparing them with what a
// container's LabelConfigSections records names what changed. Every section
// is present, an empty one included, so a section that becomes empty still
// reads as changed.
func SectionHashes(s types.ServiceConfig) map[string]string {
	parts := map[string]map[string]json.RawMessage{}
	for _, sec := range Sections() {
		parts[sec] = map[string]json.RawMessage{}
	}
	raw, err := json.Marshal(hashedService(s))
	var fields map[string]json.RawMessage
	if err == nil {
		err = json.Unmarshal(raw, &fields)
	}
	if err != nil {
		// compose-go's types always marshal; were one not to, every section
		// reads as changed rather than none.
		fields = map[string]json.RawMessage{"error": json.RawMessage(strconv.Quote(err.Error()))}
	}
	for key, value := range fields {
		sec, ok := sectionOf[key]
		if !ok {
			sec = SectionOther
		}
		parts[sec][key] = value
	}
	out := make(map[string]string, len(parts))
	for sec, part := range parts {
		canonical, _ := json.Marshal(part) // map keys come out sorted
		sum := sha256.Sum256(canonical)
		out[sec] = hex.EncodeToString(sum[:])
	}
	return out
}

// hashedService is s without what must not cause a recreate: build, pull
// policy, scale and replicas, depends_on, profiles, and env_file (its
// contents are in Environment by now, as the loader read them; docker
// compose hashes without the file list). ServiceHash and the section
// hashes both start from it, so they move together.
func hashedService(s types.ServiceConfig) types.ServiceConfig {
	s.Build = nil
	s.PullPolicy = ""
	s.Scale = nil
	if s.Deploy != nil {
		deploy := *s.Deploy
		deploy.Replicas = nil
		s.Deploy = &deploy
	}
	s.DependsOn = nil
	s.Profiles = nil
	s.EnvFiles = nil
	return s
}

// dependsOnLabel renders depends_on as docker compose does:
// "name:condition:restart" entries joined with ",". compose walks a map, so
// its order varies; berth sorts, which compose never compares.
func dependsOnLabel(s types.ServiceConfig) string {
	entries := make([]string, 0, len(s.DependsOn))
	for name, d := range s.DependsOn {
		entries = append(entries, fmt.Sprintf("%s:%s:%t", name, d.Condition, d.Restart))
	}
	sort.Strings(entries)
	return strings.Join(entries, ",")
}

// containerLabels are the labels of container number of s: the service's
// own, then the ones docker compose adds at load time (which win over the
// service's), then the ones it adds at create time.
func containerLabels(p *types.Project, s types.ServiceConfig, number int, o SpecOptions) (map[string]string, error) {
	labels := map[string]string{}
	for k, v := range s.Labels {
		labels[k] = v
	}
	for k, v := range s.CustomLabels {
		labels[k] = v
	}
	labels[LabelProject] = p.Name
	labels[LabelService] = s.Name
	labels[LabelVersion] = o.Version
	labels[LabelWorkingDir] = p.WorkingDir
	labels[LabelConfigFiles] = strings.Join(p.ComposeFiles, ",")
	labels[LabelOneoff] = "False"
	if o.Slug != "" {
		labels[LabelOneoff], labels[LabelSlug] = "True", o.Slug
	}
	if len(o.EnvFiles) > 0 {
		labels[LabelEnvironmentFile] = strings.Join(o.EnvFiles, ",")
	}
	if o.ImageID != "" {
		labels[LabelImage] = o.ImageID
	}
	if o.Name != "" && o.Name != ContainerName(p.Name, s, number) {
		labels[LabelReplace] = replacedName(s, number)
	}

	hash := o.ConfigHash
	if hash == "" {
		var err error
		// Without container ids (a plan that creates the referenced
		// container stamps the hash at apply time, see RefHash).
		if hash, err = ExpectedConfigHash(s, nil); err != nil {
			return nil, err
		}
	}
	labels[LabelConfigHash] = hash
	labels[LabelContainerNumber] = strconv.Itoa(number)
	labels[LabelDependsOn] = dependsOnLabel(s)
	labels[LabelConfigSections] = encodeSections(SectionHashes(s))
	return labels, nil
}

// replacedName is how docker compose names the container a recreate
// replaces in LabelReplace: without the project prefix.
func replacedName(s types.ServiceConfig, number int) string {
	if s.ContainerName != "" {
		return s.ContainerName
	}
	return s.Name + "-" + strconv.Itoa(number)
}
