package main

import (
	"fmt"
	"net/netip"
	"os"
	"sort"
	"strconv"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"

	"github.com/berth-compose/berth/bench"
)

// containerSpec is one container as the floor creates it: the create
// request, and the networks to connect before start (an engine before API
// 1.44 takes only one network at create, so compose tools connect the rest).
type containerSpec struct {
	create  client.ContainerCreateOptions
	connect map[string]*network.EndpointSettings
}

// containerSpecs translates the shape's services the way a compose tool
// would, with none of its logic: the same image, command, init, environment,
// healthcheck, ports, volumes, networks and DNS alias, named after the
// project as compose names them, labelled for cleanup. depends_on is ignored.
func containerSpecs(project string, p bench.Project) []containerSpec {
	specs := make([]containerSpec, 0, len(p.Services))
	for _, s := range p.Services {
		specs = append(specs, spec(project, s))
	}
	return specs
}

func spec(project string, s bench.Service) containerSpec {
	init := true
	cfg := &container.Config{
		Image: bench.Image,
		Cmd:   s.Command,
		Labels: map[string]string{
			bench.LabelBench: "floor", bench.LabelProject: project, "berth.bench.service": s.Name,
		},
	}
	for _, kv := range s.Environment {
		cfg.Env = append(cfg.Env, kv[0]+"="+kv[1])
	}
	if s.Changeable {
		cfg.Env = append(cfg.Env, bench.ChangeVar+"="+envOr(bench.ChangeVar, "0"))
	}
	if h := s.Healthcheck; h != nil {
		cfg.Healthcheck = &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, Retries: h.Retries}
	}
	host := &container.HostConfig{Init: &init}
	for _, p := range s.Ports {
		port := network.MustParsePort(strconv.Itoa(p.Container) + "/tcp")
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = network.PortSet{}
			host.PortBindings = network.PortMap{}
		}
		cfg.ExposedPorts[port] = struct{}{}
		host.PortBindings[port] = append(host.PortBindings[port],
			network.PortBinding{HostIP: netip.MustParseAddr(p.HostIP), HostPort: strconv.Itoa(p.Host)})
	}
	for _, m := range s.Volumes {
		host.Mounts = append(host.Mounts, mount.Mount{Type: mount.TypeVolume, Source: volumeName(project, m.Volume), Target: m.Target})
	}
	nets := s.Networks
	if len(nets) == 0 {
		nets = []string{"default"}
	}
	endpoint := func() *network.EndpointSettings { return &network.EndpointSettings{Aliases: []string{s.Name}} }
	first := networkName(project, nets[0])
	host.NetworkMode = container.NetworkMode(first)
	out := containerSpec{create: client.ContainerCreateOptions{
		Name:             fmt.Sprintf("%s-%s-1", project, s.Name),
		Config:           cfg,
		HostConfig:       host,
		NetworkingConfig: &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{first: endpoint()}},
	}}
	for _, n := range nets[1:] {
		if out.connect == nil {
			out.connect = map[string]*network.EndpointSettings{}
		}
		out.connect[networkName(project, n)] = endpoint()
	}
	return out
}

// networks lists the networks the containers use, each once.
func (f floor) networks() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range f.specs {
		for _, n := range append([]string{string(s.create.HostConfig.NetworkMode)}, keys(s.connect)...) {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// volumes lists the named volumes the containers mount, each once.
func (f floor) volumes() []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range f.specs {
		for _, m := range s.create.HostConfig.Mounts {
			if !seen[m.Source] {
				seen[m.Source] = true
				out = append(out, m.Source)
			}
		}
	}
	return out
}

func (f floor) labels() map[string]string {
	return map[string]string{bench.LabelBench: "floor", bench.LabelProject: f.project}
}

func networkName(project, key string) string { return project + "_" + key }
func volumeName(project, key string) string  { return project + "_" + key }

func keys(m map[string]*network.EndpointSettings) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func envOr(name, fallback string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return fallback
}
