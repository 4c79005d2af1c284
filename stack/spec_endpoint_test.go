package stack

import (
	"testing"

	"github.com/moby/moby/api/types/swarm"
)

func TestServiceSpecEndpoint(t *testing.T) {
	ingress := swarm.PortConfigPublishModeIngress
	tests := []struct {
		name, yaml string
		want       *swarm.EndpointSpec
		warned     []string
	}{
		{"nothing published", "", nil, nil},
		{"endpoint mode alone", "deploy: {endpoint_mode: dnsrr}", &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR}, nil},
		{
			name: "short syntax, sorted by published port",
			yaml: `ports: ["8443:443", "8080:80", "53:53/udp", "9000"]`,
			want: &swarm.EndpointSpec{Ports: []swarm.PortConfig{
				{Protocol: "tcp", TargetPort: 9000, PublishedPort: 0, PublishMode: ingress},
				{Protocol: "udp", TargetPort: 53, PublishedPort: 53, PublishMode: ingress},
				{Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: ingress},
				{Protocol: "tcp", TargetPort: 443, PublishedPort: 8443, PublishMode: ingress},
			}},
		},
		{
			name: "range to range: one port each",
			yaml: `ports: ["8000-8001:80-81"]`,
			want: &swarm.EndpointSpec{Ports: []swarm.PortConfig{
				{Protocol: "tcp", TargetPort: 80, PublishedPort: 8000, PublishMode: ingress},
				{Protocol: "tcp", TargetPort: 81, PublishedPort: 8001, PublishMode: ingress},
			}},
		},
		{
			name: "published range for one target: each port of it",
			yaml: `ports: ["9000-9002:80"]`,
			want: &swarm.EndpointSpec{Ports: []swarm.PortConfig{
				{Protocol: "tcp", TargetPort: 80, PublishedPort: 9000, PublishMode: ingress},
				{Protocol: "tcp", TargetPort: 80, PublishedPort: 9001, PublishMode: ingress},
				{Protocol: "tcp", TargetPort: 80, PublishedPort: 9002, PublishMode: ingress},
			}},
		},
		{
			name: "long syntax, host mode, named, with dnsrr",
			yaml: "ports: [{name: web, target: 80, published: \"8080\", protocol: tcp, mode: host}]\n    deploy: {endpoint_mode: dnsrr}",
			want: &swarm.EndpointSpec{Mode: swarm.ResolutionModeDNSRR, Ports: []swarm.PortConfig{
				{Name: "web", Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: swarm.PortConfigPublishModeHost},
			}},
		},
		{
			name: "long syntax without mode is ingress",
			yaml: "ports: [{target: 80, published: \"80\"}]\n    deploy: {endpoint_mode: vip}",
			want: &swarm.EndpointSpec{Mode: swarm.ResolutionModeVIP, Ports: []swarm.PortConfig{
				{Protocol: "tcp", TargetPort: 80, PublishedPort: 80, PublishMode: ingress},
			}},
		},
		{
			name:   "host_ip is warned about",
			yaml:   `ports: ["127.0.0.1:8080:80"]`,
			want:   &swarm.EndpointSpec{Ports: []swarm.PortConfig{{Protocol: "tcp", TargetPort: 80, PublishedPort: 8080, PublishMode: ingress}}},
			warned: []string{"ports.host_ip"},
		},
		{
			name:   "host network: no ports",
			yaml:   "network_mode: host\n    ports: [\"80:80\"]",
			want:   nil,
			warned: []string{"ports"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", "web")
			assertWarnings(t, warnings, tt.warned...)
			assertEqual(t, "endpoint", spec.EndpointSpec, tt.want)
		})
	}
}

func TestServiceSpecEndpointErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"dnsrr with ingress", "ports: [\"80:80\"]\n    deploy: {endpoint_mode: dnsrr}",
			`service "web": ports: port 80 is published through the routing mesh (mode ingress), which needs a virtual IP, and deploy.endpoint_mode is dnsrr; publish it with mode: host, or use endpoint_mode vip`},
		{"unknown endpoint mode", "deploy: {endpoint_mode: round-robin}", `service "web": deploy.endpoint_mode: "round-robin" is not a mode; use vip or dnsrr`},
		{"unknown publish mode", "ports: [{target: 80, mode: mesh}]", `service "web": ports: mode "mesh" of port 80 is not ingress or host`},
		{"unknown protocol", "ports: [{target: 80, protocol: quic}]", `service "web": ports: protocol "quic" of port 80 is not tcp, udp or sctp`},
		{"published not a number", "ports: [{target: 80, published: http}]", `service "web": ports: published port of 80: "http" is not a port number`},
		{"backwards range", "ports: [{target: 80, published: 9002-9000}]", `service "web": ports: published port of 80: range "9002-9000" ends before it starts`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.yaml+"\n", nil)
			assertErrorContains(t, specError(t, p, "web"), tt.want)
		})
	}
}
