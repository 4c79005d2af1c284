package stack

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"
)

// endpointSpec is how the service is reached: deploy.endpoint_mode and the
// published ports, sorted so the spec is stable. Nil when the service sets
// neither, leaving swarm's default, a virtual IP.
func (b *serviceBuilder) endpointSpec() (*swarm.EndpointSpec, error) {
	mode := swarm.ResolutionMode("")
	if b.s.Deploy != nil {
		mode = swarm.ResolutionMode(b.s.Deploy.EndpointMode)
	}
	switch mode {
	case "", swarm.ResolutionModeVIP, swarm.ResolutionModeDNSRR:
	default:
		return nil, b.fail("deploy.endpoint_mode", "%q is not a mode; use vip or dnsrr", mode)
	}
	ports, err := b.ports()
	if err != nil {
		return nil, err
	}
	if mode == swarm.ResolutionModeDNSRR {
		for _, p := range ports {
			if p.PublishMode == swarm.PortConfigPublishModeIngress {
				return nil, b.fail("ports", "port %d is published through the routing mesh (mode ingress), which needs a virtual IP, and deploy.endpoint_mode is dnsrr; publish it with mode: host, or use endpoint_mode vip", p.TargetPort)
			}
		}
	}
	if mode == "" && len(ports) == 0 {
		return nil, nil
	}
	return &swarm.EndpointSpec{Mode: mode, Ports: ports}, nil
}

// ports are the service's published ports. A task on the node's own
// network (network_mode: host) listens on the node directly, and the
// routing mesh cannot reach it there (the node rejects such a task, found
// on Engine 20.10), so its ports are left out, as the engine leaves them out
// of a container on the host network.
func (b *serviceBuilder) ports() ([]swarm.PortConfig, error) {
	if len(b.s.Ports) == 0 {
		return nil, nil
	}
	if b.s.NetworkMode == "host" {
		b.warn("ports", "are ignored with network_mode: host: the tasks listen on the node's own ports")
		return nil, nil
	}
	var out []swarm.PortConfig
	for _, pc := range b.s.Ports {
		configs, err := b.portConfigs(pc)
		if err != nil {
			return nil, err
		}
		out = append(out, configs...)
	}
	slices.SortStableFunc(out, func(x, y swarm.PortConfig) int {
		if c := x.Compare(y); c != 0 {
			return c
		}
		return strings.Compare(x.Name, y.Name)
	})
	return out, nil
}

// portConfigs translates one ports entry. compose-go expanded a short
// syntax range ("8000-8002:80-82") into one entry per port already; a
// published range left for one target ("9000-9002:80") publishes the
// target on each port of it, since a swarm publishes exact ports and has
// no "any free one of these".
func (b *serviceBuilder) portConfigs(pc types.ServicePortConfig) ([]swarm.PortConfig, error) {
	if pc.Target == 0 || pc.Target > math.MaxUint16 {
		return nil, b.fail("ports", "target %d is not a port number", pc.Target)
	}
	proto := strings.ToLower(pc.Protocol)
	switch network.IPProtocol(proto) {
	case "":
		proto = string(network.TCP)
	case network.TCP, network.UDP, network.SCTP:
	default:
		return nil, b.fail("ports", "protocol %q of port %d is not tcp, udp or sctp", pc.Protocol, pc.Target)
	}
	publishMode := swarm.PortConfigPublishMode(pc.Mode)
	switch publishMode {
	case "":
		publishMode = swarm.PortConfigPublishModeIngress
	case swarm.PortConfigPublishModeIngress, swarm.PortConfigPublishModeHost:
	default:
		return nil, b.fail("ports", "mode %q of port %d is not ingress or host", pc.Mode, pc.Target)
	}
	if pc.HostIP != "" {
		b.warn("ports.host_ip", "is ignored by Swarm: a published port listens on every address of the node")
	}
	first, last, err := publishedRange(pc.Published)
	if err != nil {
		return nil, b.wrap("ports", fmt.Errorf("published port of %d: %w", pc.Target, err))
	}
	var out []swarm.PortConfig
	for port := first; port <= last; port++ {
		out = append(out, swarm.PortConfig{
			Name:          pc.Name,
			Protocol:      network.IPProtocol(proto),
			TargetPort:    pc.Target,
			PublishedPort: port,
			PublishMode:   publishMode,
		})
	}
	return out, nil
}

// publishedRange parses "", "8080" or "8080-8082". "" is 0: the swarm picks
// a port, as it does for an unpublished target.
func publishedRange(published string) (first, last uint32, err error) {
	if published == "" {
		return 0, 0, nil
	}
	from, to, isRange := strings.Cut(published, "-")
	if first, err = portNumber(from); err != nil {
		return 0, 0, err
	}
	if !isRange {
		return first, first, nil
	}
	if last, err = portNumber(to); err != nil {
		return 0, 0, err
	}
	if last < first {
		return 0, 0, fmt.Errorf("range %q ends before it starts", published)
	}
	return first, last, nil
}

func portNumber(s string) (uint32, error) {
	n, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("%q is not a port number: %w", s, err)
	}
	return uint32(n), nil
}
