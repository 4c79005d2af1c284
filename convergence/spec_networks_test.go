package convergence

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

const multiNetworkProject = `
name: shop
services:
  web:
    image: x
    links: [db:database]
    networks:
      front:
        aliases: [www]
        priority: 10
      back:
        ipv4_address: 172.28.0.10
        gw_priority: 1
        interface_name: eth9
      admin:
        priority: 10
        use_service_name_alias: false
  db: {image: postgres, networks: [back]}
networks:
  front: {}
  back: {ipam: {config: [{subnet: 172.28.0.0/16}]}}
  admin: {name: shared-admin, external: true}
`

func TestSpecNetworksByAPIVersion(t *testing.T) {
	p := specProject(t, multiNetworkProject)
	links := []string{"shop-db-1:database", "shop-db-1:db-1", "shop-db-1:shop-db-1"}
	admin := &network.EndpointSettings{Aliases: []string{"shop-web-1"}, Links: links, IPAMConfig: &network.EndpointIPAMConfig{}}
	front := &network.EndpointSettings{Aliases: []string{"shop-web-1", "web", "www"}, Links: links, IPAMConfig: &network.EndpointIPAMConfig{}}
	back := &network.EndpointSettings{
		Aliases: []string{"shop-web-1", "web"}, Links: links, GwPriority: 1,
		IPAMConfig: &network.EndpointIPAMConfig{IPv4Address: netip.MustParseAddr("172.28.0.10")},
		DriverOpts: map[string]string{"com.docker.network.endpoint.ifname": "eth9"},
	}
	tests := []struct {
		api       string
		endpoints map[string]*network.EndpointSettings
		extra     []NetworkAttachment
	}{
		{
			// admin and front tie on priority 10; admin sorts first.
			api:       "1.41",
			endpoints: map[string]*network.EndpointSettings{"shared-admin": admin},
			extra: []NetworkAttachment{
				{Key: "front", Network: "shop_front", Endpoint: *front},
				{Key: "back", Network: "shop_back", Endpoint: *back},
			},
		},
		{
			api:       "1.44",
			endpoints: map[string]*network.EndpointSettings{"shared-admin": admin, "shop_front": front, "shop_back": back},
		},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			o := SpecOptions{APIVersion: tt.api}
			spec, _ := specOf(t, p, "web", o)
			assertEqual(t, "network mode", spec.Host.NetworkMode, container.NetworkMode("shared-admin"))
			assertEqual(t, "links", spec.Host.Links, links)
			assertEqual(t, "endpoints", spec.Networking, &network.NetworkingConfig{EndpointsConfig: tt.endpoints})
			extra, err := ExtraNetworks(p, p.Services["web"], 1, o)
			if err != nil {
				t.Fatal(err)
			}
			assertEqual(t, "extra networks", extra, tt.extra)
		})
	}
}

func TestSpecNetworkMode(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  vpn: {image: vpn}
  app:
    image: x
    network_mode: service:vpn
    ipc: service:vpn
    pid: container:monitor
    volumes_from: [vpn:ro, "container:data"]
  host: {image: x, network_mode: host}
  off: {image: x, network_mode: none}
`)
	ids := map[string]string{"vpn": "c0ffee"}
	resolve := func(s string) string { return ids[s] }
	tests := []struct {
		service     string
		mode        container.NetworkMode
		ipc, pid    string
		volumesFrom []string
	}{
		{"app", "container:c0ffee", "container:c0ffee", "container:monitor", []string{"c0ffee:ro", "data"}},
		{"host", "host", "", "", nil},
		{"off", "none", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			spec, _ := specOf(t, p, tt.service, SpecOptions{ServiceContainer: resolve, APIVersion: "1.41"})
			assertEqual(t, "network mode", spec.Host.NetworkMode, tt.mode)
			assertEqual(t, "ipc", string(spec.Host.IpcMode), tt.ipc)
			assertEqual(t, "pid", string(spec.Host.PidMode), tt.pid)
			assertEqual(t, "volumes_from", spec.Host.VolumesFrom, tt.volumesFrom)
			assertEqual(t, "networking", spec.Networking, (*network.NetworkingConfig)(nil))
			extra, _ := ExtraNetworks(p, p.Services[tt.service], 1, SpecOptions{APIVersion: "1.41"})
			assertEqual(t, "extra", extra, []NetworkAttachment(nil))
		})
	}

	_, _, err := ContainerSpecFor(p, p.Services["app"], 1, SpecOptions{})
	if err == nil || !strings.Contains(err.Error(), "cannot share the network namespace of service vpn") {
		t.Errorf("error = %v, want one saying vpn has no container", err)
	}
}

func TestResolveServiceReferences(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  vpn: {image: vpn}
  app: {image: x, network_mode: service:vpn, volumes_from: [vpn:ro, "container:data:rw"]}
`)
	app := p.Services["app"]
	got, err := ResolveServiceReferences(app, func(string) string { return "c0ffee" })
	if err != nil {
		t.Fatal(err)
	}
	// compose's form drops the access mode; the caller's service is untouched.
	assertEqual(t, "network_mode", got.NetworkMode, "container:c0ffee")
	assertEqual(t, "volumes_from", got.VolumesFrom, []string{"c0ffee", "data"})
	assertEqual(t, "caller's volumes_from", app.VolumesFrom, []string{"vpn:ro", "container:data:rw"})

	resolved, _ := ServiceHash(got)
	raw, _ := ServiceHash(app)
	hash, err := ExpectedConfigHash(app, func(string) string { return "c0ffee" })
	assertEqual(t, "expected hash", [2]any{hash, err}, [2]any{resolved, nil})
	hash, err = ExpectedConfigHash(app, nil)
	assertEqual(t, "unresolvable hash", [2]any{hash, err}, [2]any{raw, nil})
}

func TestSpecMacAddress(t *testing.T) {
	p := specProject(t, `
name: shop
services:
  web: {image: x, mac_address: "02:42:ac:11:00:02"}
  bad: {image: x, mac_address: "02:42:ac:11:00:02", networks: {default: {mac_address: "02:42:ac:11:00:03"}}}
`)
	spec, warnings := specOf(t, p, "web", SpecOptions{APIVersion: "1.44"})
	mac, _ := net.ParseMAC("02:42:ac:11:00:02")
	assertEqual(t, "mac", spec.Networking.EndpointsConfig["shop_default"].MacAddress, network.HardwareAddr(mac))
	assertEqual(t, "warnings", warnings, []string(nil))

	spec, warnings = specOf(t, p, "web", SpecOptions{APIVersion: "1.43"})
	assertEqual(t, "old engine mac", spec.Networking.EndpointsConfig["shop_default"].MacAddress, network.HardwareAddr(nil))
	if len(warnings) != 1 || !strings.Contains(warnings[0], "mac_address is ignored") {
		t.Errorf("warnings = %q, want one about mac_address", warnings)
	}

	if _, _, err := ContainerSpecFor(p, p.Services["bad"], 1, SpecOptions{}); err == nil || !strings.Contains(err.Error(), "must be the same") {
		t.Errorf("error = %v, want a MAC conflict", err)
	}
}

func TestSpecWithoutProjectNetworks(t *testing.T) {
	p := specProject(t, "name: shop\nservices: {web: {image: x}}\n")
	p.Networks = nil // as when every service has a network_mode
	s := p.Services["web"]
	s.Networks = nil
	spec, _, err := ContainerSpecFor(p, s, 1, SpecOptions{})
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "network mode", spec.Host.NetworkMode, container.NetworkMode("none"))
}
