package enginetest

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/berth-compose/berth/engine"
)

// WithVolumes adds volumes as they are.
func (f *Fake) WithVolumes(vs ...engine.Volume) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, v := range vs {
		v.Labels, v.Options = maps.Clone(v.Labels), maps.Clone(v.Options)
		f.volumes[v.Name] = &v
	}
	return f
}

// ListVolumes lists the volumes that match flt, sorted by name.
func (f *Fake) ListVolumes(ctx context.Context, flt engine.Filter) ([]engine.Volume, error) {
	if err := f.begin(ctx, "ListVolumes", filterLabels(flt)); err != nil {
		return nil, err
	}
	return f.listVolumes(flt), nil
}

// Volumes returns every volume, sorted by name, for tests to check the end
// state: it is not recorded and never fails.
func (f *Fake) Volumes() []engine.Volume { return f.listVolumes(engine.Filter{}) }

func (f *Fake) listVolumes(flt engine.Filter) []engine.Volume {
	f.mu.Lock()
	defer f.mu.Unlock()
	var all []engine.Volume
	for _, v := range f.volumes {
		all = append(all, *v)
	}
	return list(all, flt, func(v engine.Volume) (string, map[string]string) { return v.Name, v.Labels }, cloneVolume)
}

func cloneVolume(v engine.Volume) engine.Volume {
	v.Labels, v.Options = maps.Clone(v.Labels), maps.Clone(v.Options)
	return v
}

// InspectVolume finds a volume by name.
func (f *Fake) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	if err := f.begin(ctx, "InspectVolume", name); err != nil {
		return engine.Volume{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.volumes[name]
	if !ok {
		return engine.Volume{}, fmt.Errorf("inspecting volume %s: %w", name, noSuch("volume", name))
	}
	return cloneVolume(*v), nil
}

// CreateVolume creates a volume, named by the engine when spec.Name is
// "". Like the engine, it returns an existing volume of that name as is.
func (f *Fake) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	if err := f.begin(ctx, "CreateVolume", spec.Name); err != nil {
		return engine.Volume{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if v, ok := f.volumes[spec.Name]; ok {
		return cloneVolume(*v), nil
	}
	return cloneVolume(*f.addVolume(spec)), nil
}

func (f *Fake) addVolume(spec engine.VolumeSpec) *engine.Volume {
	name := orDefault(spec.Name, f.newID("volume"))
	v := &engine.Volume{
		Name: name, Driver: orDefault(spec.Driver, "local"), Scope: "local",
		Mountpoint: "/var/lib/docker/volumes/" + name + "/_data",
		Options:    maps.Clone(spec.DriverOpts), Labels: maps.Clone(spec.Labels),
	}
	f.volumes[name] = v
	f.emit("volume", "create", name, map[string]string{"driver": v.Driver})
	return v
}

// ensureVolume returns the named volume, creating it if missing, as the
// engine does for a container that mounts it.
func (f *Fake) ensureVolume(name string) *engine.Volume {
	if v, ok := f.volumes[name]; ok {
		return v
	}
	return f.addVolume(engine.VolumeSpec{Name: name})
}

// RemoveVolume removes a volume no container uses; force also ignores a
// missing one.
func (f *Fake) RemoveVolume(ctx context.Context, name string, force bool) error {
	if err := f.begin(ctx, "RemoveVolume", name); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.volumes[name]; !ok {
		if force {
			return nil
		}
		return fmt.Errorf("removing volume %s: %w", name, noSuch("volume", name))
	}
	if users := f.volumeUsers(name); len(users) > 0 {
		return fmt.Errorf("removing volume %s: %w", name,
			engine.ErrConflict.WithMessage(fmt.Sprintf("remove %s: volume is in use - %v", name, users)))
	}
	f.dropVolume(name)
	return nil
}

// volumeUsers lists the ids of the containers that mount volume name.
func (f *Fake) volumeUsers(name string) []string {
	var ids []string
	for _, c := range f.containers {
		if slices.ContainsFunc(c.Mounts, func(m engine.Mount) bool { return m.Type == "volume" && m.Name == name }) {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

// dropUnusedVolume removes a volume unless a container still uses it,
// silently, as the engine does for a removed container's volumes.
func (f *Fake) dropUnusedVolume(name string) {
	if _, ok := f.volumes[name]; ok && len(f.volumeUsers(name)) == 0 {
		f.dropVolume(name)
	}
}

func (f *Fake) dropVolume(name string) {
	v := f.volumes[name]
	delete(f.volumes, name)
	f.emit("volume", "destroy", name, map[string]string{"driver": v.Driver})
}
