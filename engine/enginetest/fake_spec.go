package enginetest

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/mount"
)

// builtinNetworks exist on every engine; a fake need not be given them to
// run containers on them.
var builtinNetworks = map[string]bool{"bridge": true, "host": true, "none": true}

// specNetworks resolves the networks a container is created on, as names.
func (f *Fake) specNetworks(spec engine.ContainerSpec) ([]string, error) {
	var refs []string
	if spec.Networking != nil {
		refs = slices.Sorted(maps.Keys(spec.Networking.EndpointsConfig))
	}
	if len(refs) > 1 && apiBefore(f.version.NegotiatedAPIVersion, 44) {
		return nil, fmt.Errorf("Container cannot be connected to network endpoints: %s (API %s takes one network at create; connect the others before start)",
			strings.Join(refs, ", "), f.version.NegotiatedAPIVersion)
	}
	if len(refs) == 0 {
		mode := ""
		if spec.Host != nil {
			mode = string(spec.Host.NetworkMode)
		}
		switch {
		case mode == "" || mode == "default":
			refs = []string{"bridge"}
		case strings.HasPrefix(mode, "container:"):
			return nil, nil
		default:
			refs = []string{mode}
		}
	}
	var names []string
	for _, ref := range refs {
		n, err := f.network(ref)
		if err != nil {
			return nil, err
		}
		names = append(names, n.Name)
	}
	slices.Sort(names)
	return names, nil
}

// apiBefore reports whether API version v ("1.41") is older than 1.minor.
func apiBefore(v string, minor int) bool {
	major, m, _ := strings.Cut(v, ".")
	n, err := strconv.Atoi(m)
	return major == "1" && err == nil && n < minor
}

// specMounts creates the volumes spec mounts (named ones if missing, a new
// one for each unnamed) and returns the mounts, sorted by destination, and
// the names of the anonymous volumes.
func (f *Fake) specMounts(spec engine.ContainerSpec) (mounts []engine.Mount, anonymous []string) {
	taken := map[string]bool{}
	add := func(typ, source, dest string) {
		m := engine.Mount{Type: typ, Source: source, Destination: dest}
		if typ == string(mount.TypeVolume) {
			if source == "" {
				source = f.addVolume(engine.VolumeSpec{}).Name
				anonymous = append(anonymous, source)
			}
			v := f.ensureVolume(source)
			m.Name, m.Source = v.Name, v.Mountpoint
		}
		taken[dest] = true
		mounts = append(mounts, m)
	}
	if h := spec.Host; h != nil {
		for _, m := range h.Mounts {
			add(string(m.Type), m.Source, m.Target)
		}
		for _, b := range h.Binds {
			add(parseBind(b))
		}
		for _, dest := range slices.Sorted(maps.Keys(h.Tmpfs)) {
			add(string(mount.TypeTmpfs), "", dest)
		}
	}
	for _, dest := range slices.Sorted(maps.Keys(spec.Config.Volumes)) {
		if !taken[dest] {
			add(string(mount.TypeVolume), "", dest)
		}
	}
	slices.SortFunc(mounts, func(a, b engine.Mount) int { return strings.Compare(a.Destination, b.Destination) })
	return mounts, anonymous
}

// parseBind reads a HostConfig.Binds entry, "source:destination[:options]"
// or a lone destination: a source that is a path is a bind mount, any
// other a named volume.
func parseBind(b string) (typ, source, dest string) {
	parts := strings.Split(b, ":")
	if len(parts) == 1 {
		return string(mount.TypeVolume), "", parts[0]
	}
	if strings.HasPrefix(parts[0], "/") || strings.HasPrefix(parts[0], ".") {
		return string(mount.TypeBind), parts[0], parts[1]
	}
	return string(mount.TypeVolume), parts[0], parts[1]
}

// isAnonymousName reports whether name looks like one the engine gives an
// anonymous volume: 64 hex digits.
func isAnonymousName(name string) bool {
	if len(name) != 64 {
		return false
	}
	return strings.Trim(name, "0123456789abcdef") == ""
}
