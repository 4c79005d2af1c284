package stack

import (
	"net/netip"
	"testing"

	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
)

func TestServiceSpecNetworks(t *testing.T) {
	tests := []struct {
		name, service, networks string
		want                    []swarm.NetworkAttachmentConfig
		warned                  []string
	}{
		{
			name: "default network, which compose-go adds",
			want: []swarm.NetworkAttachmentConfig{{Target: "shop_default", Aliases: []string{"web"}}},
		},
		{
			name: "priority first, then by key, with aliases and driver options",
			service: `networks:
      b: {aliases: [www, site]}
      a:
      c: {priority: 10, driver_opts: {com.example.opt: "1"}}`,
			networks: "networks: {a: {}, b: {}, c: {}}",
			want: []swarm.NetworkAttachmentConfig{
				{Target: "shop_c", Aliases: []string{"web"}, DriverOpts: map[string]string{"com.example.opt": "1"}},
				{Target: "shop_a", Aliases: []string{"web"}},
				{Target: "shop_b", Aliases: []string{"web", "www", "site"}},
			},
		},
		{
			name:     "no service alias",
			service:  "networks: {a: {use_service_name_alias: false, aliases: [only]}}",
			networks: "networks: {a: {}}",
			want:     []swarm.NetworkAttachmentConfig{{Target: "shop_a", Aliases: []string{"only"}}},
		},
		{
			name:     "external network by its own name",
			service:  "networks: [shared]",
			networks: "networks: {shared: {external: true, name: team-net}}",
			want:     []swarm.NetworkAttachmentConfig{{Target: "team-net", Aliases: []string{"web"}}},
		},
		{
			name:    "host network",
			service: "network_mode: host",
			want:    []swarm.NetworkAttachmentConfig{{Target: "host"}},
		},
		{
			name:     "addresses are the swarm's",
			service:  "mac_address: 02:42:ac:11:00:02\n    networks: {a: {ipv4_address: 10.5.0.5, ipv6_address: \"fd00::5\", interface_name: eth5, gw_priority: 1}}",
			networks: "networks: {a: {ipam: {config: [{subnet: 10.5.0.0/16}]}}}",
			want:     []swarm.NetworkAttachmentConfig{{Target: "shop_a", Aliases: []string{"web"}}},
			warned:   []string{"mac_address", "networks.gw_priority", "networks.interface_name", "networks.ipv4_address", "networks.ipv6_address"},
		},
		{
			name:     "bridge driver becomes overlay",
			service:  "networks: [a]",
			networks: "networks: {a: {driver: bridge}}",
			want:     []swarm.NetworkAttachmentConfig{{Target: "shop_a", Aliases: []string{"web"}}},
			warned:   []string{"networks.a.driver"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec, warnings := specOf(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+tt.service+"\n"+tt.networks+"\n", "web")
			assertWarnings(t, warnings, tt.warned...)
			assertEqual(t, "networks", spec.TaskTemplate.Networks, tt.want)
		})
	}
}

func TestServiceSpecNetworkErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"none", "network_mode: none", `service "web": network_mode: none is not supported by Swarm`},
		{"another service's", "network_mode: service:db", `service "web": network_mode: service:db is not supported by Swarm: a task cannot join another's network namespace`},
		{"a container's", "network_mode: container:proxy", `service "web": network_mode: container:proxy is not supported by Swarm`},
		{"bridge", "network_mode: bridge", `service "web": network_mode: bridge is not supported by Swarm; remove it and attach the service to networks`},
		{"invalid subnet", "networks: [a]\nnetworks: {a: {ipam: {config: [{subnet: 10.0.0/8, gateway: 10.0.0.300}]}}}",
			`service "web": networks: network "a": ipam.config.subnet "10.0.0/8" is not a CIDR subnet`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadProject(t, "name: shop\nservices:\n  db: {image: postgres}\n  web:\n    image: nginx\n    "+tt.yaml+"\n", nil)
			assertErrorContains(t, specError(t, p, "web"), tt.want)
		})
	}
}

func TestServiceSpecInvalidIPAMNamesEveryAddress(t *testing.T) {
	p := loadProject(t, "name: shop\nservices: {web: {image: nginx, networks: [a]}}\nnetworks: {a: {ipam: {config: [{subnet: 10.0.0/8, gateway: 10.0.0.300}]}}}\n", nil)
	assertErrorContains(t, specError(t, p, "web"), `subnet "10.0.0/8"`, `gateway "10.0.0.300"`)
}

func TestNetworkSpec(t *testing.T) {
	tests := []struct {
		name, networks, key string
		want                engine.NetworkSpec
	}{
		{
			name:     "default network",
			networks: "",
			key:      "default",
			want:     engine.NetworkSpec{Name: "shop_default", Driver: "overlay", Labels: map[string]string{labelNamespace: "shop"}},
		},
		{
			name: "every attribute",
			networks: `networks:
  back:
    driver: overlay
    driver_opts: {encrypted: "true"}
    attachable: true
    internal: true
    enable_ipv6: true
    labels: {tier: back}
    ipam:
      driver: default
      options: {foo: bar}
      config:
        - subnet: 10.10.0.0/16
          ip_range: 10.10.1.0/24
          gateway: 10.10.0.1
          aux_addresses: {router: 10.10.0.2, dns: 10.10.0.3}`,
			key: "back",
			want: engine.NetworkSpec{
				Name: "shop_back", Driver: "overlay", Options: map[string]string{"encrypted": "true"},
				Labels:   map[string]string{"tier": "back", labelNamespace: "shop"},
				Internal: true, Attachable: true, EnableIPv6: ptr(true),
				IPAM: &network.IPAM{Driver: "default", Options: map[string]string{"foo": "bar"}, Config: []network.IPAMConfig{{
					Subnet:     netip.MustParsePrefix("10.10.0.0/16"),
					IPRange:    netip.MustParsePrefix("10.10.1.0/24"),
					Gateway:    netip.MustParseAddr("10.10.0.1"),
					AuxAddress: map[string]netip.Addr{"router": netip.MustParseAddr("10.10.0.2"), "dns": netip.MustParseAddr("10.10.0.3")},
				}}},
			},
		},
		{
			name:     "bridge becomes overlay",
			networks: "networks: {local: {driver: bridge}}",
			key:      "local",
			want:     engine.NetworkSpec{Name: "shop_local", Driver: "overlay", Labels: map[string]string{labelNamespace: "shop"}},
		},
		{
			name:     "another driver is kept",
			networks: "networks: {lan: {driver: macvlan, driver_opts: {parent: eth0}}}",
			key:      "lan",
			want: engine.NetworkSpec{Name: "shop_lan", Driver: "macvlan", Options: map[string]string{"parent": "eth0"},
				Labels: map[string]string{labelNamespace: "shop"}},
		},
		{
			name:     "custom name",
			networks: "networks: {pub: {name: public-net}}",
			key:      "pub",
			want:     engine.NetworkSpec{Name: "public-net", Driver: "overlay", Labels: map[string]string{labelNamespace: "shop"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			service := "networks: [" + tt.key + "]"
			if tt.key == "default" {
				service = "stop_signal: SIGTERM" // anything; compose-go adds the default network
			}
			p := loadProject(t, "name: shop\nservices:\n  web:\n    image: nginx\n    "+service+"\n"+tt.networks+"\n", nil)
			n, ok := p.Networks[tt.key]
			if !ok {
				t.Fatalf("project has no network %s", tt.key)
			}
			assertEqual(t, "network spec", NetworkSpec(p.Name, tt.key, n), tt.want)
		})
	}
}
