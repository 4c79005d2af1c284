package convergence

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/mount"
)

// mounts builds the container's filesystem mounts, as docker compose does:
// one mount per target, the service's volumes over inherited anonymous
// volumes over secrets and configs. Binds and named volumes that need no
// option beyond the bind syntax go in Binds, the API that creates a missing
// host path; the rest use the Mount API.
func (b *specBuilder) mounts() (binds []string, mounts []mount.Mount, err error) {
	byTarget, err := b.mountsByTarget()
	if err != nil {
		return nil, nil, err
	}
	targets := make([]string, 0, len(byTarget))
	for t := range byTarget {
		targets = append(targets, t)
	}
	sort.Strings(targets)
	for _, t := range targets {
		m := byTarget[t]
		if bind, ok := b.bindString(m); ok {
			binds = append(binds, bind)
			continue
		}
		if m.Type == mount.TypeImage && apiBefore(b.o.APIVersion, "1.48") {
			return nil, nil, fmt.Errorf("volumes: %s of type image needs Docker Engine 28 (API 1.48); this engine speaks API %s", t, b.o.APIVersion)
		}
		mounts = append(mounts, m)
	}
	return binds, mounts, nil
}

func (b *specBuilder) mountsByTarget() (map[string]mount.Mount, error) {
	byTarget := map[string]mount.Mount{}
	inherited := b.inherit(byTarget)
	for _, v := range b.s.Volumes {
		if inherited[v.Target] && v.Source == "" && v.Type == types.VolumeTypeVolume {
			continue // the previous container's anonymous volume takes its place
		}
		m, err := b.buildMount(v)
		if err != nil {
			return nil, err
		}
		byTarget[m.Target] = m
	}
	files, err := b.secretMounts()
	if err != nil {
		return nil, err
	}
	configs, err := b.configMounts()
	if err != nil {
		return nil, err
	}
	for _, m := range append(files, configs...) {
		if _, taken := byTarget[m.Target]; !taken {
			byTarget[m.Target] = m
		}
	}
	return byTarget, nil
}

// inherit mounts the replaced container's anonymous volumes again where they
// were, so a recreate keeps their data: those of the service's own
// anonymous volumes, and those at the image's VOLUME paths (any target no
// service mount claims, when the image's paths are not known).
func (b *specBuilder) inherit(byTarget map[string]mount.Mount) map[string]bool {
	inherited := map[string]bool{}
	claimed := b.claimedTargets()
	for _, m := range b.o.InheritMounts {
		if m.Type != string(mount.TypeVolume) || m.Name == "" {
			continue // tmpfs has nothing to keep; binds are re-declared
		}
		target := path.Clean(m.Destination)
		anon, declared := b.anonymousVolume(target)
		switch {
		case declared:
		case b.o.ImageVolumes != nil && slices.Contains(b.o.ImageVolumes, target):
		case b.o.ImageVolumes == nil && !claimed[target]:
		default:
			continue
		}
		byTarget[target] = mount.Mount{Type: mount.TypeVolume, Source: m.Name, Target: target, ReadOnly: anon.ReadOnly}
		inherited[target] = true
	}
	return inherited
}

// anonymousVolume finds the service's anonymous volume at target.
func (b *specBuilder) anonymousVolume(target string) (types.ServiceVolumeConfig, bool) {
	for _, v := range b.s.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source == "" && path.Clean(v.Target) == target {
			return v, true
		}
	}
	return types.ServiceVolumeConfig{}, false
}

// claimedTargets are the paths the service itself mounts something at.
func (b *specBuilder) claimedTargets() map[string]bool {
	claimed := map[string]bool{}
	for _, v := range b.s.Volumes {
		claimed[path.Clean(v.Target)] = true
	}
	for _, t := range b.s.Tmpfs {
		p, _, _ := strings.Cut(t, ":")
		claimed[path.Clean(p)] = true
	}
	for _, s := range b.s.Secrets {
		claimed[fileTarget("/run/secrets/", s.Source, s.Target)] = true
	}
	for _, c := range b.s.Configs {
		claimed[fileTarget("/", c.Source, c.Target)] = true
	}
	return claimed
}

// buildMount translates one volumes entry to the Mount API.
func (b *specBuilder) buildMount(v types.ServiceVolumeConfig) (mount.Mount, error) {
	source := v.Source
	switch v.Type {
	case types.VolumeTypeBind:
		// compose-go made relative paths absolute against the project
		// directory already; what is left is relative to the working dir.
		if !filepath.IsAbs(source) && !strings.HasPrefix(source, "/") {
			abs, err := filepath.Abs(source)
			if err != nil {
				return mount.Mount{}, fmt.Errorf("volumes: %s: %w", source, err)
			}
			source = abs
		}
	case types.VolumeTypeVolume:
		if vol, ok := b.p.Volumes[source]; ok && source != "" {
			source = vol.Name // the project-prefixed or external name
		}
	}
	m := mount.Mount{
		Type:        mount.Type(v.Type),
		Source:      source,
		Target:      path.Clean(v.Target),
		ReadOnly:    v.ReadOnly,
		Consistency: mount.Consistency(v.Consistency),
	}
	b.mountOptions(&m, v)
	return m, nil
}

// mountOptions sets the options of m's own type; the others are ignored
// with a warning, as docker compose does.
func (b *specBuilder) mountOptions(m *mount.Mount, v types.ServiceVolumeConfig) {
	if v.Type != types.VolumeTypeBind && v.Bind != nil ||
		v.Type != types.VolumeTypeVolume && v.Volume != nil ||
		v.Type != types.VolumeTypeTmpfs && v.Tmpfs != nil {
		b.warn("volumes: %s: options of another mount type than %s are ignored", v.Target, v.Type)
	}
	switch v.Type {
	case types.VolumeTypeBind:
		m.BindOptions = bindOptions(v.Bind)
	case types.VolumeTypeVolume:
		if v.Volume != nil {
			m.VolumeOptions = &mount.VolumeOptions{NoCopy: v.Volume.NoCopy, Subpath: v.Volume.Subpath, Labels: v.Volume.Labels}
		}
	case types.VolumeTypeTmpfs:
		if v.Tmpfs != nil {
			m.TmpfsOptions = &mount.TmpfsOptions{SizeBytes: int64(v.Tmpfs.Size), Mode: os.FileMode(v.Tmpfs.Mode)}
		}
	case types.VolumeTypeImage:
		if v.Image != nil {
			m.ImageOptions = &mount.ImageOptions{Subpath: v.Image.SubPath}
		}
	}
}

func bindOptions(bind *types.ServiceVolumeBind) *mount.BindOptions {
	if bind == nil {
		return nil
	}
	opts := &mount.BindOptions{Propagation: mount.Propagation(bind.Propagation), CreateMountpoint: bool(bind.CreateHostPath)}
	switch bind.Recursive {
	case "disabled":
		opts.NonRecursive = true
	case "writable":
		opts.ReadOnlyNonRecursive = true
	case "readonly":
		opts.ReadOnlyForceRecursive = true
	}
	return opts
}

// bindString renders m in the Binds syntax, source:target:options, when the
// service declares it and it needs nothing the syntax lacks: binds keep
// creating a missing host path that way, and named volumes stay as docker
// compose has always created them.
func (b *specBuilder) bindString(m mount.Mount) (string, bool) {
	v, ok := b.serviceVolume(m.Target)
	if !ok || string(m.Type) != v.Type {
		return "", false
	}
	switch m.Type {
	case mount.TypeBind:
		if bindNeedsMountAPI(v.Bind) {
			return "", false
		}
	case mount.TypeVolume:
		if !b.isProjectVolume(m.Source) || volumeNeedsMountAPI(v.Volume) {
			return "", false
		}
	default:
		return "", false
	}
	access := "rw"
	if v.ReadOnly {
		access = "ro"
	}
	opts := []string{access}
	if v.Bind != nil && v.Bind.SELinux != "" {
		opts = append(opts, v.Bind.SELinux)
	}
	if v.Bind != nil && v.Bind.Propagation != "" {
		opts = append(opts, v.Bind.Propagation)
	}
	return m.Source + ":" + m.Target + ":" + strings.Join(opts, ","), true
}

func (b *specBuilder) serviceVolume(target string) (types.ServiceVolumeConfig, bool) {
	for _, v := range b.s.Volumes {
		if path.Clean(v.Target) == target {
			return v, true
		}
	}
	return types.ServiceVolumeConfig{}, false
}

func (b *specBuilder) isProjectVolume(name string) bool {
	for _, v := range b.p.Volumes {
		if v.Name == name {
			return true
		}
	}
	return false
}

// bindNeedsMountAPI: the bind syntax always creates a missing host path
// and has no recursive option.
func bindNeedsMountAPI(bind *types.ServiceVolumeBind) bool {
	return bind != nil && (!bool(bind.CreateHostPath) || bind.Propagation != "" || bind.Recursive != "")
}

// volumeNeedsMountAPI: labels and subpath only exist in the Mount API;
// docker compose sends nocopy there too.
func volumeNeedsMountAPI(v *types.ServiceVolumeVolume) bool {
	return v != nil && (len(v.Labels) > 0 || v.Subpath != "" || v.NoCopy)
}

// fileTarget is where a secret or config lands: its target, made absolute
// under base, or base/<source> when it has none.
func fileTarget(base, source, target string) string {
	switch {
	case target == "":
		return base + source
	case isAbsTarget(target):
		return target
	default:
		return base + target
	}
}

func isAbsTarget(p string) bool {
	return strings.HasPrefix(p, "/") || strings.HasPrefix(p, `\\`) || len(p) > 2 && p[1] == ':' && p[2] == '\\'
}

// secretMounts bind-mounts file secrets read-only at /run/secrets/<name>.
func (b *specBuilder) secretMounts() ([]mount.Mount, error) {
	refs := make([]types.FileReferenceConfig, len(b.s.Secrets))
	for i, r := range b.s.Secrets {
		refs[i] = types.FileReferenceConfig(r)
	}
	return b.fileMounts("secret", "/run/secrets/", refs, func(name string) (types.FileObjectConfig, bool) {
		def, ok := b.p.Secrets[name]
		return types.FileObjectConfig(def), ok
	})
}

// configMounts bind-mounts file configs read-only at /<name>.
func (b *specBuilder) configMounts() ([]mount.Mount, error) {
	refs := make([]types.FileReferenceConfig, len(b.s.Configs))
	for i, r := range b.s.Configs {
		refs[i] = types.FileReferenceConfig(r)
	}
	return b.fileMounts("config", "/", refs, func(name string) (types.FileObjectConfig, bool) {
		def, ok := b.p.Configs[name]
		return types.FileObjectConfig(def), ok
	})
}

// fileMounts bind-mounts the file: secrets or configs (kind) refs names,
// read-only under base unless a target says otherwise. Those declared
// with content: or environment: are copied in after create instead
// (spec_files.go).
func (b *specBuilder) fileMounts(kind, base string, refs []types.FileReferenceConfig, lookup func(string) (types.FileObjectConfig, bool)) ([]mount.Mount, error) {
	var out []mount.Mount
	for _, ref := range refs {
		def, ok := lookup(ref.Source)
		if !ok {
			return nil, fmt.Errorf("%ss: %s %q is not defined in the project", kind, kind, ref.Source)
		}
		if err := b.checkFileObject(kind, ref.Source, def); err != nil {
			return nil, err
		}
		if isInjected(def) {
			continue
		}
		b.warnOwnership(kind, ref.Source, ref)
		vol := types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: def.File, ReadOnly: true,
			Target: fileTarget(base, ref.Source, ref.Target)}
		if kind == "secret" {
			if _, err := os.Stat(def.File); errors.Is(err, fs.ErrNotExist) {
				b.warn("secret file %s does not exist", def.File)
			}
			// a missing secret file must fail, not become an empty directory
			vol.Bind = &types.ServiceVolumeBind{CreateHostPath: false}
		}
		m, err := b.buildMount(vol)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// checkFileObject refuses what only swarm can provide.
func (b *specBuilder) checkFileObject(kind, name string, def types.FileObjectConfig) error {
	switch {
	case bool(def.External):
		return fmt.Errorf("%ss: external %s %s needs swarm; declare it with file:, content: or environment:", kind, kind, name)
	case def.Driver != "":
		return fmt.Errorf("%ss: %s %s: driver needs swarm; declare it with file:, content: or environment:", kind, kind, name)
	case def.TemplateDriver != "":
		return fmt.Errorf("%ss: %s %s: template_driver needs swarm; declare it with file:, content: or environment:", kind, kind, name)
	case isInjected(def):
		return nil
	case def.File == "":
		return fmt.Errorf("%ss: %s %s has no file", kind, kind, name)
	}
	return nil
}

func (b *specBuilder) warnOwnership(kind, name string, ref types.FileReferenceConfig) {
	if ref.UID != "" || ref.GID != "" || ref.Mode != nil {
		b.warn("%s %s: uid, gid and mode are ignored: a bind mount keeps the file's own", kind, name)
	}
}
