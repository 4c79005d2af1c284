package convergence

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
)

// hostConfig is the host-dependent part of the spec. NetworkMode is left to
// the networking step, which needs the links made here.
func (b *specBuilder) hostConfig(refs resolvedRefs) (*container.HostConfig, error) {
	s := b.s
	binds, mounts, err := b.mounts()
	if err != nil {
		return nil, err
	}
	bindings, err := portBindings(s)
	if err != nil {
		return nil, err
	}
	dns, err := parseAddrs("dns", s.DNS)
	if err != nil {
		return nil, err
	}
	secOpts, unconfined, err := b.securityOpts()
	if err != nil {
		return nil, err
	}
	host := &container.HostConfig{
		Annotations:    maps.Clone(map[string]string(s.Annotations)),
		Binds:          binds,
		Mounts:         mounts,
		CapAdd:         slices.Clone(s.CapAdd),
		CapDrop:        slices.Clone(s.CapDrop),
		Init:           s.Init,
		IpcMode:        container.IpcMode(refs.ipc),
		CgroupnsMode:   container.CgroupnsMode(s.Cgroup),
		ReadonlyRootfs: s.ReadOnly,
		RestartPolicy:  b.restartPolicy(),
		ShmSize:        int64(s.ShmSize),
		Sysctls:        maps.Clone(map[string]string(s.Sysctls)),
		PortBindings:   bindings,
		Resources:      b.resources(),
		VolumeDriver:   s.VolumeDriver,
		VolumesFrom:    refs.volumesFrom,
		DNS:            dns,
		DNSSearch:      slices.Clone([]string(s.DNSSearch)),
		DNSOptions:     slices.Clone(s.DNSOpts),
		ExtraHosts:     extraHosts(s.ExtraHosts),
		SecurityOpt:    secOpts,
		StorageOpt:     maps.Clone(s.StorageOpt),
		UsernsMode:     container.UsernsMode(s.UserNSMode),
		UTSMode:        container.UTSMode(s.Uts),
		Privileged:     s.Privileged,
		PidMode:        container.PidMode(refs.pid),
		Tmpfs:          tmpfs(s.Tmpfs),
		Isolation:      container.Isolation(s.Isolation),
		Runtime:        s.Runtime,
		LogConfig:      b.logConfig(),
		GroupAdd:       slices.Clone(s.GroupAdd),
		Links:          b.links(),
		OomScoreAdj:    int(s.OomScoreAdj),
		Umask:          s.Umask,
	}
	if unconfined {
		// Empty, not nil: nil means the engine's default masks.
		host.MaskedPaths = []string{}
		host.ReadonlyPaths = []string{}
	}
	return host, nil
}

// tmpfs turns "path[:options]" entries into the engine's path → options map.
func tmpfs(entries []string) map[string]string {
	if len(entries) == 0 {
		return nil
	}
	out := make(map[string]string, len(entries))
	for _, t := range entries {
		path, opts, _ := strings.Cut(t, ":")
		out[path] = opts
	}
	return out
}

// extraHosts renders host:ip entries, the separator the engine API takes,
// sorted so the spec is stable.
func extraHosts(h types.HostsList) []string {
	if len(h) == 0 {
		return nil
	}
	list := h.AsList(":")
	sort.Strings(list)
	return list
}

func (b *specBuilder) logConfig() container.LogConfig {
	if b.s.Logging == nil {
		return container.LogConfig{}
	}
	return container.LogConfig{Type: b.s.Logging.Driver, Config: maps.Clone(map[string]string(b.s.Logging.Options))}
}

// parseAddrs parses IP addresses the engine API takes typed.
func parseAddrs(attribute string, values []string) ([]netip.Addr, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := make([]netip.Addr, 0, len(values))
	for _, v := range values {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %q is not an IP address: %w", attribute, v, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// parseAddr parses an optional address: "" is the zero Addr.
func parseAddr(attribute, value string) (netip.Addr, error) {
	if value == "" {
		return netip.Addr{}, nil
	}
	a, err := netip.ParseAddr(value)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%s: %q is not an IP address: %w", attribute, value, err)
	}
	return a, nil
}

// warnUnsupported reports the attributes berth leaves out. Build, pull
// policy, scale, depends_on, profiles, attach, develop and env_file are
// handled before or around container creation, so they are not listed.
func (b *specBuilder) warnUnsupported() {
	s := b.s
	if s.CredentialSpec != nil {
		b.warn("credential_spec is ignored: it configures Windows gMSA, which berth does not support")
	}
	if s.UseAPISocket {
		b.warn("use_api_socket is ignored: berth does not mount the engine socket and CLI credentials into containers")
	}
	if len(s.Models) > 0 {
		b.warn("models are ignored: berth does not run Docker Model Runner models")
	}
	if s.Provider != nil {
		b.warn("provider is ignored: berth does not run provider plugins")
	}
	if len(s.PreStart) > 0 || len(s.PostStart) > 0 || len(s.PreStop) > 0 {
		b.warn("pre_start, post_start and pre_stop hooks are not run by berth")
	}
	if s.Deploy != nil {
		b.warnDeploy(s.Deploy)
	}
}

// warnDeploy: deploy is swarm's section; outside restart_policy and
// resources, the engine has nothing to honour it with.
func (b *specBuilder) warnDeploy(d *types.DeployConfig) {
	if d.Mode != "" && d.Mode != "replicated" {
		b.warn("deploy.mode %q is ignored: berth runs replicas on one engine", d.Mode)
	}
	if len(d.Labels) > 0 {
		b.warn("deploy.labels are ignored: they label swarm services, which berth does not create (use labels)")
	}
	if d.UpdateConfig != nil || d.RollbackConfig != nil {
		b.warn("deploy.update_config and deploy.rollback_config are ignored: they configure swarm rolling updates")
	}
	if d.EndpointMode != "" {
		b.warn("deploy.endpoint_mode is ignored: it configures swarm service discovery")
	}
	if len(d.Placement.Constraints) > 0 || len(d.Placement.Preferences) > 0 || d.Placement.MaxReplicas > 0 {
		b.warn("deploy.placement is ignored: berth runs containers on one engine, not a swarm")
	}
	if r := d.Resources.Reservations; r != nil {
		if r.NanoCPUs != 0 || r.Pids != 0 || len(r.GenericResources) > 0 {
			b.warn("deploy.resources.reservations cpus, pids and generic_resources are ignored: the engine only reserves memory and devices")
		}
	}
	if l := d.Resources.Limits; l != nil && (len(l.Devices) > 0 || len(l.GenericResources) > 0) {
		b.warn("deploy.resources.limits devices and generic_resources are ignored: request devices under reservations")
	}
}
