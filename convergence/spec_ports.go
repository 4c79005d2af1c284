package convergence

import (
	"fmt"
	"math"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/network"
)

// exposedPorts are the container ports of expose and ports. An expose range
// ("8000-8010/udp") is expanded: the engine keys exposed ports one by one.
func exposedPorts(s types.ServiceConfig) (network.PortSet, error) {
	if len(s.Expose) == 0 && len(s.Ports) == 0 {
		return nil, nil
	}
	set := network.PortSet{}
	for _, e := range s.Expose {
		r, err := network.ParsePortRange(e)
		if err != nil {
			return nil, fmt.Errorf("expose %q: %w", e, err)
		}
		for p := range r.All() {
			set[p] = struct{}{}
		}
	}
	for _, pc := range s.Ports {
		p, err := containerPort(pc)
		if err != nil {
			return nil, err
		}
		set[p] = struct{}{}
	}
	return set, nil
}

// portBindings publishes ports: one binding per entry, keyed by container
// port and protocol. compose-go already expanded short-syntax ranges into
// one entry per port; a published range left on one entry ("8000-8010" for
// target 80) goes to the engine as is, which picks a free port in it.
func portBindings(s types.ServiceConfig) (network.PortMap, error) {
	if len(s.Ports) == 0 {
		return nil, nil
	}
	bindings := network.PortMap{}
	for _, pc := range s.Ports {
		p, err := containerPort(pc)
		if err != nil {
			return nil, err
		}
		ip, err := parseAddr(fmt.Sprintf("ports: host_ip of %d", pc.Target), pc.HostIP)
		if err != nil {
			return nil, err
		}
		bindings[p] = append(bindings[p], network.PortBinding{HostIP: ip, HostPort: pc.Published})
	}
	return bindings, nil
}

// containerPort is a ports entry's target with its protocol, tcp when none.
func containerPort(pc types.ServicePortConfig) (network.Port, error) {
	if pc.Target == 0 || pc.Target > math.MaxUint16 {
		return network.Port{}, fmt.Errorf("ports: target %d is not a port number", pc.Target)
	}
	proto := strings.ToLower(pc.Protocol)
	if proto == "" {
		proto = string(network.TCP)
	}
	p, _ := network.PortFrom(uint16(pc.Target), network.IPProtocol(proto))
	return p, nil
}
