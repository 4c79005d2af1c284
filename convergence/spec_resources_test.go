package convergence

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/berth-compose/berth/engine"
)

func TestSpecResources(t *testing.T) {
	off := false
	tests := []struct {
		name    string
		service string
		want    container.Resources
	}{
		{
			name:    "none: oom_kill_disable is still sent, as compose sends it",
			service: "{}",
			want:    container.Resources{OomKillDisable: &off},
		},
		{
			name:    "service attributes",
			service: `{mem_limit: 512m, memswap_limit: 1g, mem_reservation: 256m, mem_swappiness: 10, cpus: 1.5, cpu_shares: 512, cpuset: "0-1", pids_limit: 100, oom_kill_disable: true}`,
			want: container.Resources{Memory: 512 << 20, MemorySwap: 1 << 30, MemoryReservation: 256 << 20,
				MemorySwappiness: ptr(int64(10)), NanoCPUs: 1_500_000_000, CPUShares: 512, CpusetCpus: "0-1",
				PidsLimit: ptr(int64(100)), OomKillDisable: ptr(true)},
		},
		{
			name:    "deploy limits and reservations",
			service: `{cpu_shares: 2, deploy: {resources: {limits: {cpus: "0.5", memory: 128m, pids: 50}, reservations: {memory: 64m, devices: [{capabilities: [gpu], count: all}]}}}}`,
			want: container.Resources{Memory: 128 << 20, NanoCPUs: 500_000_000, CPUShares: 2, PidsLimit: ptr(int64(50)),
				MemoryReservation: 64 << 20, OomKillDisable: &off,
				DeviceRequests: []container.DeviceRequest{{Count: -1, Capabilities: [][]string{{"gpu"}}}}},
		},
		{
			name:    "devices, cdi and gpus",
			service: `{devices: ["/dev/ttyUSB0:/dev/tty0:r", "nvidia.com/gpu=all"], gpus: [{driver: nvidia, device_ids: ["0"]}]}`,
			want: container.Resources{OomKillDisable: &off,
				Devices: []container.DeviceMapping{{PathOnHost: "/dev/ttyUSB0", PathInContainer: "/dev/tty0", CgroupPermissions: "r"}},
				DeviceRequests: []container.DeviceRequest{
					{Driver: "cdi", DeviceIDs: []string{"nvidia.com/gpu=all"}},
					{Driver: "nvidia", DeviceIDs: []string{"0"}, Capabilities: [][]string{{"gpu"}}},
				}},
		},
		{
			name:    "ulimits sorted, single value sets both",
			service: `{ulimits: {nproc: 65535, nofile: {soft: 1024, hard: 4096}}}`,
			want: container.Resources{OomKillDisable: &off, Ulimits: []*container.Ulimit{
				{Name: "nofile", Soft: 1024, Hard: 4096}, {Name: "nproc", Soft: 65535, Hard: 65535}}},
		},
		{
			name:    "blkio",
			service: `{blkio_config: {weight: 300, device_read_bps: [{path: /dev/sda, rate: 1mb}]}}`,
			want: container.Resources{OomKillDisable: &off, BlkioWeight: 300,
				BlkioDeviceReadBps: []*blkiodev.ThrottleDevice{{Path: "/dev/sda", Rate: 1 << 20}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := specProject(t, "name: shop\nservices:\n  web: "+strings.Replace(tt.service, "{", "{image: x, ", 1)+"\n")
			spec, _ := specOf(t, p, "web", SpecOptions{})
			assertEqual(t, "resources", spec.Host.Resources, tt.want)
		})
	}
}

func TestNetworkSpecFor(t *testing.T) {
	p := specProject(t, `
name: shop
services: {web: {image: x, networks: [back]}}
networks:
  back:
    driver: bridge
    driver_opts: {com.docker.network.bridge.name: br-back}
    internal: true
    attachable: true
    enable_ipv6: true
    labels: {team: core}
    ipam:
      driver: default
      options: {foo: bar}
      config: [{subnet: 172.28.0.0/16, ip_range: 172.28.5.0/24, gateway: 172.28.5.254, aux_addresses: {host1: 172.28.1.5}}]
`)
	n := p.Networks["back"]
	hash, err := NetworkHash(n)
	if err != nil {
		t.Fatal(err)
	}
	got, err := NetworkSpecFor("shop", "back", n, "2.40.0")
	if err != nil {
		t.Fatal(err)
	}
	assertEqual(t, "spec", got, engine.NetworkSpec{
		Name:       "shop_back",
		Driver:     "bridge",
		Options:    map[string]string{"com.docker.network.bridge.name": "br-back"},
		Labels:     map[string]string{"team": "core", LabelNetwork: "back", LabelProject: "shop", LabelVersion: "2.40.0", LabelConfigHash: hash},
		Internal:   true,
		Attachable: true,
		EnableIPv6: ptr(true),
		IPAM: &network.IPAM{Driver: "default", Options: map[string]string{"foo": "bar"}, Config: []network.IPAMConfig{{
			Subnet:     netip.MustParsePrefix("172.28.0.0/16"),
			IPRange:    netip.MustParsePrefix("172.28.5.0/24"),
			Gateway:    netip.MustParseAddr("172.28.5.254"),
			AuxAddress: map[string]netip.Addr{"host1": netip.MustParseAddr("172.28.1.5")},
		}}},
	})

	n.Ipam.Config[0].Subnet = "not-a-subnet"
	if _, err := NetworkSpecFor("shop", "back", n, ""); err == nil || !strings.Contains(err.Error(), "subnet") {
		t.Errorf("error = %v, want one about the subnet", err)
	}
	off := false
	assertEqual(t, "ipv4 warning", len(NetworkSpecWarnings("back", types.NetworkConfig{EnableIPv4: &off})), 1)
}

func TestNetworkHashFollowsDefinition(t *testing.T) {
	a, _ := NetworkHash(types.NetworkConfig{Name: "shop_back"})
	b, _ := NetworkHash(types.NetworkConfig{Name: "shop_back", CustomLabels: types.Labels{"x": "y"}})
	c, _ := NetworkHash(types.NetworkConfig{Name: "shop_back", Internal: true})
	if a != b {
		t.Error("labels berth adds changed the network hash")
	}
	if a == c {
		t.Error("a changed definition kept the network hash")
	}
	// The form docker compose hashes: its JSON, byte for byte.
	assertEqual(t, "hash", a, sha256Hex(`{"name":"shop_back","ipam":{}}`))
}

func TestVolumeSpecFor(t *testing.T) {
	v := types.VolumeConfig{Name: "shop_db", DriverOpts: types.Options{"type": "tmpfs"}, Labels: types.Labels{"backup": "daily"}}
	got := VolumeSpecFor("shop", "db", v, "2.40.0")
	hash, _ := VolumeHash(v)
	assertEqual(t, "spec", got, engine.VolumeSpec{
		Name:       "shop_db",
		DriverOpts: map[string]string{"type": "tmpfs"},
		Labels:     map[string]string{"backup": "daily", LabelVolume: "db", LabelProject: "shop", LabelVersion: "2.40.0", LabelConfigHash: hash},
	})
	// An unset driver hashes as "local", as docker compose hashes it.
	local, _ := VolumeHash(types.VolumeConfig{Name: "shop_db", Driver: "local"})
	unset, _ := VolumeHash(types.VolumeConfig{Name: "shop_db"})
	assertEqual(t, "local driver", unset, local)
	assertEqual(t, "hash", unset, sha256Hex(`{"name":"shop_db","driver":"local"}`))
}
