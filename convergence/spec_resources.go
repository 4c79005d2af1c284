package convergence

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"

	"github.com/berth-compose/berth/engine"
)

// resources are the container's cgroup limits and devices: the service's
// own attributes, then deploy.resources, which win where both are set.
func (b *specBuilder) resources() container.Resources {
	s := b.s
	oomKillDisable := s.OomKillDisable
	r := container.Resources{
		CgroupParent:       s.CgroupParent,
		Memory:             int64(s.MemLimit),
		MemorySwap:         int64(s.MemSwapLimit),
		MemoryReservation:  int64(s.MemReservation),
		OomKillDisable:     &oomKillDisable, // set even when false, as docker compose does
		CPUCount:           s.CPUCount,
		CPUPeriod:          s.CPUPeriod,
		CPUQuota:           s.CPUQuota,
		CPURealtimePeriod:  s.CPURTPeriod,
		CPURealtimeRuntime: s.CPURTRuntime,
		CPUShares:          s.CPUShares,
		// float32 arithmetic, as docker compose computes it, so both
		// tools send the same number.
		NanoCPUs:          int64(s.CPUS * 1e9),
		CPUPercent:        int64(s.CPUPercent * 100),
		CpusetCpus:        s.CPUSet,
		DeviceCgroupRules: slices.Clone(s.DeviceCgroupRules),
		Ulimits:           ulimits(s.Ulimits),
	}
	if s.MemSwappiness != 0 {
		v := int64(s.MemSwappiness)
		r.MemorySwappiness = &v
	}
	if s.PidsLimit != 0 {
		v := s.PidsLimit
		r.PidsLimit = &v
	}
	setBlkio(&r, s.BlkioConfig)
	if s.Deploy != nil {
		setLimits(&r, s.Deploy.Resources.Limits)
		setReservations(&r, s.Deploy.Resources.Reservations)
	}
	setDevices(&r, s.Devices)
	for _, g := range s.Gpus {
		r.DeviceRequests = append(r.DeviceRequests, container.DeviceRequest{
			Driver: g.Driver, Count: int(g.Count), DeviceIDs: slices.Clone(g.IDs),
			Capabilities: [][]string{append(slices.Clone(g.Capabilities), "gpu")},
			Options:      maps.Clone(map[string]string(g.Options)),
		})
	}
	return r
}

func setLimits(r *container.Resources, l *types.Resource) {
	if l == nil {
		return
	}
	if l.MemoryBytes != 0 {
		r.Memory = int64(l.MemoryBytes)
	}
	if l.NanoCPUs != 0 {
		r.NanoCPUs = int64(l.NanoCPUs * 1e9)
	}
	if l.Pids > 0 {
		v := l.Pids
		r.PidsLimit = &v
	}
}

// setReservations: the engine reserves memory (a soft limit) and devices;
// the rest is swarm scheduling, warned about in warnDeploy.
func setReservations(r *container.Resources, res *types.Resource) {
	if res == nil {
		return
	}
	if res.MemoryBytes != 0 {
		r.MemoryReservation = int64(res.MemoryBytes)
	}
	for _, d := range res.Devices {
		r.DeviceRequests = append(r.DeviceRequests, container.DeviceRequest{
			Driver: d.Driver, Count: int(d.Count), DeviceIDs: slices.Clone(d.IDs),
			Capabilities: [][]string{slices.Clone(d.Capabilities)},
			Options:      maps.Clone(map[string]string(d.Options)),
		})
	}
}

// setDevices maps host devices; a CDI name ("vendor.com/class=name") is not
// a path but a request to the cdi driver, as docker compose sends it.
func setDevices(r *container.Resources, devices []types.DeviceMapping) {
	var cdi []string
	for _, d := range devices {
		if d.Source == d.Target && isCDIName(d.Source) {
			cdi = append(cdi, d.Source)
			continue
		}
		r.Devices = append(r.Devices, container.DeviceMapping{
			PathOnHost: d.Source, PathInContainer: d.Target, CgroupPermissions: d.Permissions,
		})
	}
	if len(cdi) > 0 {
		r.DeviceRequests = append(r.DeviceRequests, container.DeviceRequest{Driver: "cdi", DeviceIDs: cdi})
	}
}

// isCDIName recognises a fully qualified CDI device name, vendor/class=name.
func isCDIName(s string) bool {
	kind, name, ok := strings.Cut(s, "=")
	if !ok || name == "" || strings.HasPrefix(s, "/") {
		return false
	}
	vendor, class, ok := strings.Cut(kind, "/")
	return ok && vendor != "" && class != "" && !strings.Contains(class, "/")
}

// ulimits, sorted by name so the spec is stable; a single value sets both.
func ulimits(m map[string]*types.UlimitsConfig) []*container.Ulimit {
	names := slices.Sorted(maps.Keys(m))
	var out []*container.Ulimit
	for _, name := range names {
		u := m[name]
		if u == nil {
			continue
		}
		soft, hard := u.Single, u.Single
		if u.Soft != 0 {
			soft = u.Soft
		}
		if u.Hard != 0 {
			hard = u.Hard
		}
		out = append(out, &container.Ulimit{Name: name, Soft: int64(soft), Hard: int64(hard)})
	}
	return out
}

func setBlkio(r *container.Resources, b *types.BlkioConfig) {
	if b == nil {
		return
	}
	r.BlkioWeight = b.Weight
	for _, d := range b.WeightDevice {
		r.BlkioWeightDevice = append(r.BlkioWeightDevice, &blkiodev.WeightDevice{Path: d.Path, Weight: d.Weight})
	}
	r.BlkioDeviceReadBps = throttles(b.DeviceReadBps)
	r.BlkioDeviceReadIOps = throttles(b.DeviceReadIOps)
	r.BlkioDeviceWriteBps = throttles(b.DeviceWriteBps)
	r.BlkioDeviceWriteIOps = throttles(b.DeviceWriteIOps)
}

func throttles(in []types.ThrottleDevice) []*blkiodev.ThrottleDevice {
	var out []*blkiodev.ThrottleDevice
	for _, d := range in {
		out = append(out, &blkiodev.ThrottleDevice{Path: d.Path, Rate: uint64(d.Rate)})
	}
	return out
}

// NetworkSpecFor is what network key of the project is created from: its
// attributes, and the labels docker compose puts on it, so compose sees it
// as its own and berth finds it again. LabelConfigHash is NetworkHash, so
// either tool notices when the network's definition changed.
func NetworkSpecFor(projectName, key string, n types.NetworkConfig, version string) (engine.NetworkSpec, error) {
	hash, err := NetworkHash(n)
	if err != nil {
		return engine.NetworkSpec{}, err
	}
	labels := resourceLabels(n.Labels, n.CustomLabels)
	labels[LabelNetwork] = key
	labels[LabelProject] = projectName
	labels[LabelVersion] = version
	labels[LabelConfigHash] = hash
	ipam, err := networkIPAM(key, n.Ipam)
	if err != nil {
		return engine.NetworkSpec{}, err
	}
	return engine.NetworkSpec{
		Name:       n.Name,
		Driver:     n.Driver,
		Options:    maps.Clone(map[string]string(n.DriverOpts)),
		Labels:     labels,
		Internal:   n.Internal,
		Attachable: n.Attachable,
		EnableIPv6: n.EnableIPv6,
		IPAM:       ipam,
	}, nil
}

// NetworkSpecWarnings names what NetworkSpecFor cannot carry to the engine.
func NetworkSpecWarnings(key string, n types.NetworkConfig) []string {
	if n.EnableIPv4 != nil && !*n.EnableIPv4 {
		return []string{fmt.Sprintf("network %q: enable_ipv4: false is ignored: berth does not create IPv6-only networks yet", key)}
	}
	return nil
}

// networkIPAM is nil unless a driver or pools are set, so the engine picks
// its defaults.
func networkIPAM(key string, c types.IPAMConfig) (*network.IPAM, error) {
	if c.Driver == "" && len(c.Config) == 0 {
		return nil, nil
	}
	ipam := &network.IPAM{Driver: c.Driver, Options: maps.Clone(map[string]string(c.Options))}
	for _, pool := range c.Config {
		if pool == nil {
			continue
		}
		cfg, err := ipamPool(key, pool)
		if err != nil {
			return nil, err
		}
		ipam.Config = append(ipam.Config, cfg)
	}
	return ipam, nil
}

func ipamPool(key string, pool *types.IPAMPool) (network.IPAMConfig, error) {
	var cfg network.IPAMConfig
	var err error
	where := "networks." + key + ".ipam.config"
	if cfg.Subnet, err = parsePrefix(where+".subnet", pool.Subnet); err != nil {
		return cfg, err
	}
	if cfg.IPRange, err = parsePrefix(where+".ip_range", pool.IPRange); err != nil {
		return cfg, err
	}
	if cfg.Gateway, err = parseAddr(where+".gateway", pool.Gateway); err != nil {
		return cfg, err
	}
	for _, name := range slices.Sorted(maps.Keys(pool.AuxiliaryAddresses)) {
		a, err := parseAddr(where+".aux_addresses."+name, pool.AuxiliaryAddresses[name])
		if err != nil {
			return cfg, err
		}
		if cfg.AuxAddress == nil {
			cfg.AuxAddress = map[string]netip.Addr{}
		}
		cfg.AuxAddress[name] = a
	}
	return cfg, nil
}

func parsePrefix(attribute, value string) (netip.Prefix, error) {
	if value == "" {
		return netip.Prefix{}, nil
	}
	p, err := netip.ParsePrefix(value)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%s: %q is not a CIDR subnet: %w", attribute, value, err)
	}
	return p, nil
}

// VolumeSpecFor is what volume key of the project is created from, with
// docker compose's labels and VolumeHash as LabelConfigHash.
func VolumeSpecFor(projectName, key string, v types.VolumeConfig, version string) engine.VolumeSpec {
	labels := resourceLabels(v.Labels, v.CustomLabels)
	labels[LabelVolume] = key
	labels[LabelProject] = projectName
	labels[LabelVersion] = version
	if hash, err := VolumeHash(v); err == nil {
		labels[LabelConfigHash] = hash
	} // else: no hash, which both tools read as "never compare"
	return engine.VolumeSpec{
		Name:       v.Name,
		Driver:     v.Driver,
		DriverOpts: maps.Clone(map[string]string(v.DriverOpts)),
		Labels:     labels,
	}
}

func resourceLabels(own, custom types.Labels) map[string]string {
	labels := map[string]string{}
	maps.Copy(labels, own)
	maps.Copy(labels, custom)
	return labels
}

// NetworkHash is docker compose's config-hash of a network: the SHA-256 of
// its JSON form. A live network whose label differs was defined otherwise;
// one without the label is never compared.
func NetworkHash(n types.NetworkConfig) (string, error) {
	return jsonHash(&n)
}

// VolumeHash is docker compose's config-hash of a volume; an unset driver
// hashes as "local", the engine's default.
func VolumeHash(v types.VolumeConfig) (string, error) {
	if v.Driver == "" {
		v.Driver = "local"
	}
	return jsonHash(v)
}

func jsonHash(v any) (string, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("hashing: %w", err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), nil
}
