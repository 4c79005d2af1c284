package stack

import (
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
)

// overlayDriver is the driver of a stack's networks: the one whose
// networks span the swarm.
const overlayDriver = "overlay"

// hostNetwork is the name of the network every node has for tasks that use
// the node's own network stack.
const hostNetwork = "host"

// networks are the service's attachments, highest priority first, ties by
// key. compose-go already attached a service that names no network (and has
// no network_mode) to the project's default network.
func (b *serviceBuilder) networks() ([]swarm.NetworkAttachmentConfig, error) {
	if err := b.checkNetworkMode(); err != nil {
		return nil, err
	}
	if b.s.MacAddress != "" {
		b.warn("mac_address", "is ignored by Swarm: it assigns task addresses itself")
	}
	if b.s.NetworkMode == hostNetwork {
		return []swarm.NetworkAttachmentConfig{{Target: hostNetwork}}, nil
	}
	var out []swarm.NetworkAttachmentConfig
	for _, key := range b.s.NetworksByPriority() {
		n, ok := b.p.Networks[key]
		if !ok {
			return nil, b.fail("networks", "network %q is not defined in the project; declare it under the top-level networks", key)
		}
		if err := b.checkNetwork(key, n); err != nil {
			return nil, err
		}
		cfg := b.s.Networks[key]
		att := swarm.NetworkAttachmentConfig{Target: n.Name}
		if cfg.ServiceNameAliasEnabled() {
			att.Aliases = []string{b.s.Name}
		}
		if cfg != nil {
			att.Aliases = append(att.Aliases, cfg.Aliases...)
			att.DriverOpts = maps.Clone(map[string]string(cfg.DriverOpts))
			b.warnEndpoint(cfg)
		}
		out = append(out, att)
	}
	return out, nil
}

// checkNetworkMode: a task can share the node's network, but not another
// task's or container's, and swarm has no "none" network to isolate it
// with (found on Engine 20.10: "network none not found").
func (b *serviceBuilder) checkNetworkMode() error {
	switch mode := b.s.NetworkMode; {
	case mode == "", mode == hostNetwork:
		return nil
	case mode == "none":
		return b.fail("network_mode", "none is not supported by Swarm, which has no network without connectivity; remove it, or attach the service only to a network with internal: true")
	case strings.HasPrefix(mode, types.ServicePrefix), strings.HasPrefix(mode, types.ContainerPrefix):
		return b.fail("network_mode", "%s is not supported by Swarm: a task cannot join another's network namespace; attach both services to one network instead", mode)
	default:
		return b.fail("network_mode", "%s is not supported by Swarm; remove it and attach the service to networks (or use network_mode: host)", mode)
	}
}

// checkNetwork refuses a network whose definition NetworkSpec cannot carry
// (it returns no error), so the deploy stops before it creates anything,
// and warns about the bridge driver NetworkSpec replaces.
func (b *serviceBuilder) checkNetwork(key string, n types.NetworkConfig) error {
	if bool(n.External) {
		return nil
	}
	if _, err := networkIPAM(n.Ipam); err != nil {
		return b.wrap("networks", fmt.Errorf("network %q: %w", key, err))
	}
	if n.Driver == "bridge" {
		b.warn("networks."+key+".driver", "bridge becomes overlay: a Swarm service attaches only to networks that span the swarm")
	}
	return nil
}

// warnEndpoint names the per-network settings swarm has no place for.
func (b *serviceBuilder) warnEndpoint(cfg *types.ServiceNetworkConfig) {
	addressed := []struct {
		attribute string
		set       bool
	}{
		{"networks.ipv4_address", cfg.Ipv4Address != ""},
		{"networks.ipv6_address", cfg.Ipv6Address != ""},
		{"networks.link_local_ips", len(cfg.LinkLocalIPs) > 0},
		{"networks.mac_address", cfg.MacAddress != ""},
	}
	for _, a := range addressed {
		if a.set {
			b.warn(a.attribute, "is ignored by Swarm: it assigns task addresses itself")
		}
	}
	if cfg.InterfaceName != "" {
		b.warn("networks.interface_name", "is ignored by Swarm: it names task interfaces itself")
	}
	if cfg.GatewayPriority != 0 {
		b.warn("networks.gw_priority", "is ignored by Swarm: it picks the gateway itself")
	}
}

// NetworkSpec is the overlay network for a project network (not for
// external ones). An unset driver and "bridge", the driver of a local
// network, both become overlay: a swarm service cannot attach to a
// network of one node ("cannot be used with services", Engine 20.10), and
// ServiceSpec warns about the bridge. Addresses in the IPAM configuration
// that do not parse are left out; ServiceSpec refuses them first for any
// network a service uses.
func NetworkSpec(namespace, key string, n types.NetworkConfig) engine.NetworkSpec {
	name := n.Name
	if name == "" {
		name = namespace + "_" + key
	}
	driver := n.Driver
	if driver == "" || driver == "bridge" {
		driver = overlayDriver
	}
	labels := maps.Clone(map[string]string(n.Labels))
	if labels == nil {
		labels = map[string]string{}
	}
	labels[labelNamespace] = namespace
	ipam, _ := networkIPAM(n.Ipam) // errors: see above
	var ipv6 *bool
	if n.EnableIPv6 != nil {
		v := *n.EnableIPv6
		ipv6 = &v
	}
	return engine.NetworkSpec{
		Name:       name,
		Driver:     driver,
		Options:    maps.Clone(map[string]string(n.DriverOpts)),
		Labels:     labels,
		Internal:   n.Internal,
		Attachable: n.Attachable,
		EnableIPv6: ipv6,
		IPAM:       ipam,
	}
}

// networkIPAM is nil unless a driver, options or pools are set, so the
// engine picks its defaults. Every address that does not parse is an
// error, all of them together; the result still holds the rest.
func networkIPAM(c types.IPAMConfig) (*network.IPAM, error) {
	if c.Driver == "" && len(c.Config) == 0 && len(c.Options) == 0 {
		return nil, nil
	}
	ipam := &network.IPAM{Driver: c.Driver, Options: maps.Clone(map[string]string(c.Options))}
	var errs []error
	for _, pool := range c.Config {
		if pool == nil {
			continue
		}
		var cfg network.IPAMConfig
		cfg.Subnet = parsePrefix(&errs, "ipam.config.subnet", pool.Subnet)
		cfg.IPRange = parsePrefix(&errs, "ipam.config.ip_range", pool.IPRange)
		cfg.Gateway = parseAddr(&errs, "ipam.config.gateway", pool.Gateway)
		for _, name := range slices.Sorted(maps.Keys(pool.AuxiliaryAddresses)) {
			a := parseAddr(&errs, "ipam.config.aux_addresses."+name, pool.AuxiliaryAddresses[name])
			if !a.IsValid() {
				continue
			}
			if cfg.AuxAddress == nil {
				cfg.AuxAddress = map[string]netip.Addr{}
			}
			cfg.AuxAddress[name] = a
		}
		ipam.Config = append(ipam.Config, cfg)
	}
	return ipam, errors.Join(errs...)
}

func parsePrefix(errs *[]error, attribute, value string) netip.Prefix {
	if value == "" {
		return netip.Prefix{}
	}
	p, err := netip.ParsePrefix(value)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s %q is not a CIDR subnet: %w", attribute, value, err))
	}
	return p
}

func parseAddr(errs *[]error, attribute, value string) netip.Addr {
	if value == "" {
		return netip.Addr{}
	}
	a, err := netip.ParseAddr(value)
	if err != nil {
		*errs = append(*errs, fmt.Errorf("%s %q is not an IP address: %w", attribute, value, err))
	}
	return a
}
