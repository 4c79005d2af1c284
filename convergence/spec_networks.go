package convergence

import (
	"fmt"
	"maps"
	"net"
	"net/netip"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/berth-compose/berth/engine"
)

// ifnameOpt is the endpoint driver option interface_name maps to.
const ifnameOpt = "com.docker.network.endpoint.ifname"

// NetworkAttachment is one more network to connect a created container to,
// before it starts.
type NetworkAttachment struct {
	Key      string // the network's key in the compose file
	Network  string // its engine name
	Endpoint engine.EndpointSpec
}

// ExtraNetworks lists the networks an engine older than API 1.44 could not
// take at create: it attaches a container to one network only, the one
// ContainerSpecFor picked (highest priority, ties by name). The applier
// connects these before the container starts. From API 1.44 on, and for a
// service with a network_mode, there are none.
func ExtraNetworks(p *types.Project, s types.ServiceConfig, number int, o SpecOptions) ([]NetworkAttachment, error) {
	if s.NetworkMode != "" || !apiBefore(o.APIVersion, "1.44") || len(p.Networks) == 0 {
		return nil, nil
	}
	all, err := attachments(p, s, number, o)
	if err != nil || len(all) == 0 {
		return nil, err
	}
	return all[1:], nil // the first is the primary network, set at create
}

// attachments is container number of s's endpoint on each of its networks,
// highest priority first.
func attachments(p *types.Project, s types.ServiceConfig, number int, o SpecOptions) ([]NetworkAttachment, error) {
	b := &specBuilder{p: p, s: s, number: number, o: o, name: ContainerName(p.Name, s, number)}
	links := b.links()
	var out []NetworkAttachment
	for _, key := range s.NetworksByPriority() {
		name, err := b.networkName(key)
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		ep, err := b.endpoint(key, links, "")
		if err != nil {
			return nil, fmt.Errorf("service %s: %w", s.Name, err)
		}
		out = append(out, NetworkAttachment{Key: key, Network: name, Endpoint: *ep})
	}
	return out, nil
}

// networking picks the network mode and the endpoints to create with. A
// network_mode (already resolved) is used as is, with no endpoints.
func (b *specBuilder) networking(mode string, links []string) (container.NetworkMode, *network.NetworkingConfig, error) {
	if mode != "" {
		if b.s.MacAddress != "" {
			b.warn("mac_address is ignored with network_mode %s, as docker compose ignores it", b.s.NetworkMode)
		}
		return container.NetworkMode(mode), nil, nil
	}
	if len(b.p.Networks) == 0 {
		return network.NetworkNone, nil, nil
	}
	keys := b.s.NetworksByPriority()
	if len(keys) == 0 {
		keys = []string{"default"}
	}
	primaryMAC, err := b.primaryMAC(keys[0])
	if err != nil {
		return "", nil, err
	}
	endpoints := map[string]*network.EndpointSettings{}
	for i, key := range keys {
		if i > 0 && apiBefore(b.o.APIVersion, "1.44") {
			break // the rest are connected after create: ExtraNetworks
		}
		name, err := b.networkName(key)
		if err != nil {
			return "", nil, err
		}
		mac := ""
		if i == 0 {
			mac = primaryMAC
		}
		if endpoints[name], err = b.endpoint(key, links, mac); err != nil {
			return "", nil, err
		}
	}
	primary, _ := b.networkName(keys[0])
	// Any name other than bridge, host, none and container:x is a network
	// the engine attaches the container to.
	return container.NetworkMode(primary), &network.NetworkingConfig{EndpointsConfig: endpoints}, nil
}

func (b *specBuilder) networkName(key string) (string, error) {
	n, ok := b.p.Networks[key]
	if !ok {
		return "", fmt.Errorf("networks: network %q is not defined in the project", key)
	}
	return n.Name, nil
}

// primaryMAC reconciles mac_address with the primary network's own: they
// must agree, and the service's fills the network's in. Engines before API
// 1.44 took the MAC on the container, a field the API berth speaks no
// longer has, so there it is dropped with a warning.
func (b *specBuilder) primaryMAC(key string) (string, error) {
	mac := b.s.MacAddress
	if cfg := b.s.Networks[key]; cfg != nil && cfg.MacAddress != "" {
		if mac != "" && mac != cfg.MacAddress {
			return "", fmt.Errorf("mac_address %s differs from the one of network %s (%s): they must be the same", mac, key, cfg.MacAddress)
		}
		mac = cfg.MacAddress
	}
	if apiBefore(b.o.APIVersion, "1.44") {
		if mac != "" || b.anyNetworkMAC() {
			b.warn("mac_address is ignored: berth sets MAC addresses per network, which needs Docker Engine 25 (API 1.44); this engine speaks API %s", b.o.APIVersion)
		}
		return "", nil
	}
	return mac, nil
}

func (b *specBuilder) anyNetworkMAC() bool {
	for _, cfg := range b.s.Networks {
		if cfg != nil && cfg.MacAddress != "" {
			return true
		}
	}
	return false
}

// endpoint configures the attachment to network key. Its aliases are the
// container name, the service name (unless use_service_name_alias is
// false) and the network's own aliases, as docker compose sets them.
func (b *specBuilder) endpoint(key string, links []string, mac string) (*network.EndpointSettings, error) {
	cfg := b.s.Networks[key]
	ep := &network.EndpointSettings{Aliases: []string{b.name}, Links: links}
	if cfg.ServiceNameAliasEnabled() && !b.o.OnlyNameAlias {
		ep.Aliases = append(ep.Aliases, b.s.Name)
	}
	if cfg != nil {
		if !b.o.OnlyNameAlias {
			ep.Aliases = append(ep.Aliases, cfg.Aliases...)
		}
		ipam, err := endpointIPAM(key, cfg)
		if err != nil {
			return nil, err
		}
		ep.IPAMConfig = ipam
		ep.GwPriority = cfg.GatewayPriority
		ep.DriverOpts = b.driverOpts(key, cfg)
		if mac == "" && !apiBefore(b.o.APIVersion, "1.44") {
			mac = cfg.MacAddress
		}
	}
	if mac != "" {
		hw, err := net.ParseMAC(mac)
		if err != nil {
			return nil, fmt.Errorf("networks.%s.mac_address: %w", key, err)
		}
		ep.MacAddress = network.HardwareAddr(hw)
	}
	return ep, nil
}

func endpointIPAM(key string, cfg *types.ServiceNetworkConfig) (*network.EndpointIPAMConfig, error) {
	ipam := &network.EndpointIPAMConfig{}
	var err error
	if ipam.IPv4Address, err = parseAddr("networks."+key+".ipv4_address", cfg.Ipv4Address); err != nil {
		return nil, err
	}
	if ipam.IPv6Address, err = parseAddr("networks."+key+".ipv6_address", cfg.Ipv6Address); err != nil {
		return nil, err
	}
	for _, ll := range cfg.LinkLocalIPs {
		a, err := netip.ParseAddr(ll)
		if err != nil {
			return nil, fmt.Errorf("networks.%s.link_local_ips: %q is not an IP address: %w", key, ll, err)
		}
		ipam.LinkLocalIPs = append(ipam.LinkLocalIPs, a)
	}
	return ipam, nil
}

// driverOpts are the endpoint's driver_opts, with interface_name as the
// option that names the interface; the project's map is copied, not changed.
func (b *specBuilder) driverOpts(key string, cfg *types.ServiceNetworkConfig) map[string]string {
	opts := maps.Clone(map[string]string(cfg.DriverOpts))
	if cfg.InterfaceName == "" {
		return opts
	}
	if opts == nil {
		opts = map[string]string{}
	}
	if name, ok := opts[ifnameOpt]; ok && name != cfg.InterfaceName {
		b.warn("networks.%s.interface_name overrides driver_opts %s", key, ifnameOpt)
	}
	opts[ifnameOpt] = cfg.InterfaceName
	return opts
}

// NetworkEndpoints is the endpoint of container number of s on each of its
// networks, by engine name: what reconnecting it to a network made again
// takes.
func NetworkEndpoints(p *types.Project, s types.ServiceConfig, number int, o SpecOptions) (map[string]engine.EndpointSpec, error) {
	if s.NetworkMode != "" {
		return nil, nil
	}
	all, err := attachments(p, s, number, o)
	if err != nil {
		return nil, err
	}
	out := map[string]engine.EndpointSpec{}
	for _, a := range all {
		out[a.Network] = a.Endpoint
	}
	return out, nil
}
