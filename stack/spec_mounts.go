package stack

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/mount"
)

// mounts are the service's volumes and tmpfs entries, sorted by target so
// the spec does not depend on which of the two lists a mount came from.
// Two mounts at one target are an error: a container has one thing there.
func (b *serviceBuilder) mounts() ([]mount.Mount, error) {
	var out []mount.Mount
	for _, v := range b.s.Volumes {
		m, err := b.volumeMount(v)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, t := range b.s.Tmpfs {
		m, err := tmpfsEntry(t)
		if err != nil {
			return nil, b.wrap("tmpfs", err)
		}
		out = append(out, m)
	}
	slices.SortStableFunc(out, func(x, y mount.Mount) int { return strings.Compare(x.Target, y.Target) })
	for i := 1; i < len(out); i++ {
		if out[i].Target == out[i-1].Target {
			return nil, b.fail("volumes", "two mounts at %s; keep one", out[i].Target)
		}
	}
	return out, nil
}

// volumeMount translates one volumes entry.
func (b *serviceBuilder) volumeMount(v types.ServiceVolumeConfig) (mount.Mount, error) {
	m := mount.Mount{
		Type:        mount.Type(v.Type),
		Source:      v.Source,
		Target:      path.Clean(v.Target),
		ReadOnly:    v.ReadOnly,
		Consistency: mount.Consistency(v.Consistency),
	}
	switch v.Type {
	case types.VolumeTypeVolume:
		if err := b.namedVolume(&m, v); err != nil {
			return mount.Mount{}, err
		}
	case types.VolumeTypeBind:
		// compose-go made relative sources absolute against the project
		// directory; one still relative would name a path on whichever
		// node runs the task, relative to nothing.
		if !filepath.IsAbs(v.Source) {
			return mount.Mount{}, b.fail("volumes", "bind source %q is not an absolute path; give the absolute path it has on the nodes", v.Source)
		}
		m.BindOptions = b.bindOptions(v)
	case types.VolumeTypeTmpfs:
		if v.Tmpfs != nil {
			// The mode's bits as written: the engine formats them back in
			// octal, so 01777 keeps its sticky bit.
			m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(v.Tmpfs.Size), Mode: os.FileMode(v.Tmpfs.Mode)}
		}
	case types.VolumeTypeImage:
		if v.Image != nil && v.Image.SubPath != "" {
			m.ImageOptions = &mount.ImageOptions{Subpath: v.Image.SubPath}
		}
	}
	return m, nil
}

// namedVolume points m at the project volume v names, created on each node
// by its driver with the stack's labels, as docker stack creates them. An
// external volume is used by its name as it is; an anonymous one (no
// source) is a fresh volume per task.
func (b *serviceBuilder) namedVolume(m *mount.Mount, v types.ServiceVolumeConfig) error {
	opts := &mount.VolumeOptions{}
	if v.Volume != nil {
		opts.NoCopy = v.Volume.NoCopy
		opts.Subpath = v.Volume.Subpath
	}
	if v.Source != "" {
		vol, ok := b.p.Volumes[v.Source]
		if !ok {
			return b.fail("volumes", "volume %q is not defined in the project; declare it under the top-level volumes", v.Source)
		}
		m.Source = vol.Name
		if !bool(vol.External) {
			labels := maps.Clone(map[string]string(vol.Labels))
			if labels == nil {
				labels = map[string]string{}
			}
			if v.Volume != nil {
				maps.Copy(labels, v.Volume.Labels)
			}
			labels[labelNamespace] = b.refs.Namespace
			opts.Labels = labels
			if vol.Driver != "" || len(vol.DriverOpts) > 0 {
				opts.DriverConfig = &mount.Driver{Name: vol.Driver, Options: maps.Clone(map[string]string(vol.DriverOpts))}
			}
		}
	}
	if opts.NoCopy || opts.Subpath != "" || opts.Labels != nil || opts.DriverConfig != nil {
		m.VolumeOptions = opts
	}
	return nil
}

// bindOptions: propagation and recursion carry over. SELinux relabelling
// has no place in a service's mount, and create_host_path neither: a node
// refuses a bind whose source it lacks, so the path must exist on every
// node the task may run on.
func (b *serviceBuilder) bindOptions(v types.ServiceVolumeConfig) *mount.BindOptions {
	if v.Bind == nil {
		return nil
	}
	if v.Bind.SELinux != "" {
		b.warn("volumes.bind.selinux", "is ignored by Swarm: relabel %s on the nodes instead", v.Source)
	}
	opts := &mount.BindOptions{Propagation: mount.Propagation(v.Bind.Propagation)}
	switch v.Bind.Recursive {
	case "disabled":
		opts.NonRecursive = true
	case "writable":
		opts.ReadOnlyNonRecursive = true
	case "readonly":
		opts.ReadOnlyForceRecursive = true
	}
	if *opts == (mount.BindOptions{}) {
		return nil
	}
	return opts
}

// tmpfsEntry parses one tmpfs entry, "path[:options]". size and mode go to
// their own fields; any other option (noexec, uid=1000...) is passed on
// for the engine to apply.
func tmpfsEntry(entry string) (mount.Mount, error) {
	target, options, _ := strings.Cut(entry, ":")
	m := mount.Mount{Type: mount.TypeTmpfs, Target: path.Clean(target)}
	if options == "" {
		return m, nil
	}
	opts := &mount.TmpfsOptions{}
	for _, opt := range strings.Split(options, ",") {
		key, value, hasValue := strings.Cut(opt, "=")
		switch {
		case key == "size" && hasValue:
			size, err := units.RAMInBytes(value)
			if err != nil {
				return mount.Mount{}, fmt.Errorf("%s: size %q: %w", target, value, err)
			}
			opts.SizeBytes = size
		case key == "mode" && hasValue:
			mode, err := strconv.ParseUint(value, 8, 32)
			if err != nil {
				return mount.Mount{}, fmt.Errorf("%s: mode %q is not an octal mode: %w", target, value, err)
			}
			opts.Mode = os.FileMode(mode)
		case hasValue:
			opts.Options = append(opts.Options, []string{key, value})
		default:
			opts.Options = append(opts.Options, []string{key})
		}
	}
	m.TmpfsOptions = opts
	return m, nil
}
