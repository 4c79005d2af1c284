package convergence

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/network"
)

func TestSpecPorts(t *testing.T) {
	port := network.MustParsePort
	bind := func(ip, hostPort string) network.PortBinding {
		b := network.PortBinding{HostPort: hostPort}
		if ip != "" {
			b.HostIP = netip.MustParseAddr(ip)
		}
		return b
	}
	tests := []struct {
		name     string
		service  string
		exposed  network.PortSet
		bindings network.PortMap
	}{
		{
			name:    "none",
			service: "{}",
		},
		{
			name:     "short syntax with host ip",
			service:  `{ports: ["127.0.0.1:8080:80"]}`,
			exposed:  network.PortSet{port("80/tcp"): {}},
			bindings: network.PortMap{port("80/tcp"): {bind("127.0.0.1", "8080")}},
		},
		{
			name:     "container port only",
			service:  `{ports: ["3000"]}`,
			exposed:  network.PortSet{port("3000/tcp"): {}},
			bindings: network.PortMap{port("3000/tcp"): {bind("", "")}},
		},
		{
			name:    "range is expanded port by port",
			service: `{ports: ["9000-9001:8000-8001/udp"]}`,
			exposed: network.PortSet{port("8000/udp"): {}, port("8001/udp"): {}},
			bindings: network.PortMap{
				port("8000/udp"): {bind("", "9000")},
				port("8001/udp"): {bind("", "9001")},
			},
		},
		{
			name:     "host range for one port is left to the engine",
			service:  `{ports: ["8000-8010:80"]}`,
			exposed:  network.PortSet{port("80/tcp"): {}},
			bindings: network.PortMap{port("80/tcp"): {bind("", "8000-8010")}},
		},
		{
			name:     "long syntax, two bindings of one port, ipv6",
			service:  `{ports: [{target: 53, published: "53", protocol: udp, host_ip: "::1"}, {target: 53, published: "5353", protocol: udp}]}`,
			exposed:  network.PortSet{port("53/udp"): {}},
			bindings: network.PortMap{port("53/udp"): {bind("::1", "53"), bind("", "5353")}},
		},
		{
			name:    "expose, with a range and a protocol",
			service: `{expose: ["3000", "7000-7001", "9000/udp"]}`,
			exposed: network.PortSet{port("3000/tcp"): {}, port("7000/tcp"): {}, port("7001/tcp"): {}, port("9000/udp"): {}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specProject(t, "name: shop\nservices:\n  web: "+strings.Replace(tt.service, "{", "{image: x, ", 1)+"\n")
			spec, _ := specOf(t, p, "web", SpecOptions{})
			assertEqual(t, "exposed", spec.Config.ExposedPorts, tt.exposed)
			assertEqual(t, "bindings", spec.Host.PortBindings, tt.bindings)
		})
	}
}

func TestSpecPortErrors(t *testing.T) {
	p := specProject(t, `{name: shop, services: {web: {image: x, ports: ["127.0.0.1:80:80"]}}}`)
	s := p.Services["web"]
	s.Ports[0].HostIP = "localhost"
	if _, _, err := ContainerSpecFor(p, s, 1, SpecOptions{}); err == nil || !strings.Contains(err.Error(), "host_ip") {
		t.Errorf("error = %v, want one about host_ip", err)
	}
}
