package stack

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/convergence"
)

// containerSpec is what each task's container is made from.
func (b *serviceBuilder) containerSpec() (*swarm.ContainerSpec, error) {
	s := b.s
	mounts, err := b.mounts()
	if err != nil {
		return nil, err
	}
	configs, err := b.configRefs()
	if err != nil {
		return nil, err
	}
	secrets, err := b.secretRefs()
	if err != nil {
		return nil, err
	}
	dns, err := b.dnsConfig()
	if err != nil {
		return nil, err
	}
	return &swarm.ContainerSpec{
		Image:           b.image(),
		Labels:          b.containerLabels(),
		Command:         b.command("entrypoint", s.Entrypoint),
		Args:            b.command("command", s.Command),
		Hostname:        s.Hostname,
		Env:             environment(s.Environment),
		Dir:             s.WorkingDir,
		User:            s.User,
		Groups:          slices.Clone(s.GroupAdd),
		Privileges:      privileges(s.CredentialSpec),
		Init:            s.Init,
		StopSignal:      s.StopSignal,
		TTY:             s.Tty,
		OpenStdin:       s.StdinOpen,
		ReadOnly:        s.ReadOnly,
		Mounts:          mounts,
		StopGracePeriod: durationPtr(s.StopGracePeriod),
		Healthcheck:     healthcheck(s.HealthCheck),
		Hosts:           hosts(s.ExtraHosts),
		DNSConfig:       dns,
		Secrets:         secrets,
		Configs:         configs,
		Isolation:       container.Isolation(s.Isolation),
		Sysctls:         maps.Clone(map[string]string(s.Sysctls)),
		CapabilityAdd:   slices.Clone(s.CapAdd),
		CapabilityDrop:  slices.Clone(s.CapDrop),
		Ulimits:         ulimits(s.Ulimits),
		OomScoreAdj:     s.OomScoreAdj,
	}, nil
}

// command is entrypoint (swarm's Command) or command (swarm's Args). An
// explicit empty list clears the image's in compose, which a service spec
// cannot say: swarm reads an empty list as "keep the image's".
func (b *serviceBuilder) command(attribute string, c types.ShellCommand) []string {
	if c != nil && len(c) == 0 {
		b.warn(attribute, "[] cannot clear the image's %s on Swarm: an empty list keeps the image's; set the command to run instead", attribute)
		return nil
	}
	return slices.Clone([]string(c))
}

// environment is KEY=VALUE, sorted. A variable declared without a value
// and not set where the project was loaded is sent as a bare KEY, as docker
// compose and docker stack send it: the engine then unsets it in the
// container, even where the image defines it (found on Engine 20.10: a
// bare PATH leaves the task without PATH), which is the Compose
// Specification's meaning of an unresolved variable.
func environment(env types.MappingWithEquals) []string { return convergence.EnvironmentList(env) }

func privileges(c *types.CredentialSpecConfig) *swarm.Privileges {
	if c == nil {
		return nil
	}
	return &swarm.Privileges{CredentialSpec: &swarm.CredentialSpec{Config: c.Config, File: c.File, Registry: c.Registry}}
}

// healthcheck: durations as they are; disable becomes the test NONE, which
// turns off the image's check too.
func healthcheck(h *types.HealthCheckConfig) *container.HealthConfig {
	if h == nil {
		return nil
	}
	out := &container.HealthConfig{
		Test:          slices.Clone([]string(h.Test)),
		Interval:      duration(h.Interval),
		Timeout:       duration(h.Timeout),
		StartPeriod:   duration(h.StartPeriod),
		StartInterval: duration(h.StartInterval),
	}
	if h.Disable {
		out.Test = []string{"NONE"}
	}
	if h.Retries != nil {
		out.Retries = int(*h.Retries)
	}
	return out
}

func duration(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}

func durationPtr(d *types.Duration) *time.Duration {
	if d == nil {
		return nil
	}
	v := time.Duration(*d)
	return &v
}

// hosts renders extra_hosts in the hosts-file form swarm takes, "IP HOST",
// sorted by host then address so the spec is stable.
func hosts(h types.HostsList) []string {
	names := slices.Sorted(maps.Keys(h))
	var out []string
	for _, name := range names {
		for _, ip := range h[name] {
			out = append(out, ip+" "+name)
		}
	}
	return out
}

// dnsConfig is nil when the service sets none of dns, dns_search and
// dns_opt, so the node's resolver configuration applies.
func (b *serviceBuilder) dnsConfig() (*swarm.DNSConfig, error) {
	s := b.s
	if len(s.DNS) == 0 && len(s.DNSSearch) == 0 && len(s.DNSOpts) == 0 {
		return nil, nil
	}
	cfg := &swarm.DNSConfig{Search: slices.Clone([]string(s.DNSSearch)), Options: slices.Clone(s.DNSOpts)}
	for _, server := range s.DNS {
		a, err := netip.ParseAddr(server)
		if err != nil {
			return nil, b.wrap("dns", fmt.Errorf("%q is not an IP address: %w", server, err))
		}
		cfg.Nameservers = append(cfg.Nameservers, a)
	}
	return cfg, nil
}

// ulimits, sorted by name; a single value sets both soft and hard.
func ulimits(m map[string]*types.UlimitsConfig) []*container.Ulimit {
	var out []*container.Ulimit
	for _, name := range slices.Sorted(maps.Keys(m)) {
		u := m[name]
		if u == nil {
			continue
		}
		soft, hard := u.Single, u.Single
		if u.Single == 0 {
			soft, hard = u.Soft, u.Hard
		}
		out = append(out, &container.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	return out
}
