package enginetest

import (
	"context"
	"fmt"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// WithImage makes the engine hold image ref with id, so containers can be
// created from it. "busybox", "busybox:latest" and
// "docker.io/library/busybox:latest" are the same ref.
func (f *Fake) WithImage(ref, id string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[normalizeRef(ref)] = id
	return f
}

// ImageID resolves ref, or an image id, to the id of a held image.
func (f *Fake) ImageID(ctx context.Context, ref string) (string, error) {
	if err := f.begin(ctx, "ImageID", ref); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.image(ref)
	if !ok {
		return "", fmt.Errorf("inspecting image %s: %w", ref, noSuch("image", ref))
	}
	return id, nil
}

func (f *Fake) image(ref string) (string, bool) {
	if id, ok := f.images[normalizeRef(ref)]; ok {
		return id, true
	}
	for _, id := range f.images {
		if id == ref || id == "sha256:"+ref {
			return id, true
		}
	}
	return "", false
}

// PullImage makes the engine hold ref, reporting progress as a real pull
// of one layer would: the opening message, the layer's download, its
// completion, the closing status. The image is the one PushImage put in
// the fake registry under ref, else a new id unless the engine held ref
// already. A registry given a login with WithRegistryLogin refuses auth
// that does not match it. Make a pull fail with Fail, or with OnCall for
// one ref only.
func (f *Fake) PullImage(ctx context.Context, ref string, auth engine.RegistryAuth, progress func(engine.PullProgress)) error {
	if err := f.begin(ctx, "PullImage", ref); err != nil {
		return err
	}
	f.mu.Lock()
	if err := f.registry.check(ref, auth); err != nil {
		f.mu.Unlock()
		return fmt.Errorf("pulling image %s: %w", ref, err)
	}
	norm := normalizeRef(ref)
	if id, ok := f.registry.repos[norm]; ok {
		f.images[norm] = id
	} else if _, ok := f.images[norm]; !ok {
		f.images[norm] = "sha256:" + f.newID("image")
	}
	f.registry.pulls = append(f.registry.pulls, norm)
	f.emit("image", "pull", norm, map[string]string{"name": norm})
	f.mu.Unlock()
	// Outside the lock: progress may call back into the fake.
	if progress != nil {
		for _, u := range []engine.PullProgress{
			{ID: tagOf(norm), Status: "Pulling from " + norm},
			{ID: "fakelayer", Status: "Downloading", Current: 512, Total: 1024},
			{ID: "fakelayer", Status: "Pull complete"},
			{Status: "Status: Downloaded newer image for " + norm},
		} {
			progress(u)
		}
	}
	return nil
}

// tagOf is the tag (or digest) of a normalized reference.
func tagOf(norm string) string {
	if i := strings.LastIndexAny(norm, ":@"); i >= 0 {
		return norm[i+1:]
	}
	return norm
}

// RemoveImage forgets ref; an image a container uses cannot go.
func (f *Fake) RemoveImage(ctx context.Context, ref string) error {
	if err := f.begin(ctx, "RemoveImage", ref); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	norm := normalizeRef(ref)
	if _, ok := f.images[norm]; !ok {
		return fmt.Errorf("removing image %s: %w", ref, noSuch("image", ref))
	}
	for _, c := range f.containers {
		if normalizeRef(c.Image) == norm {
			return fmt.Errorf("removing image %s: %w: used by container %s", ref, engine.ErrConflict, c.Name)
		}
	}
	delete(f.images, norm)
	return nil
}

// normalizeRef spells an image reference the way the engine keys it:
// without the default registry and namespace, with a tag.
func normalizeRef(ref string) string {
	ref = strings.TrimPrefix(ref, "docker.io/")
	ref = strings.TrimPrefix(ref, "library/")
	if strings.Contains(ref, "@") {
		return ref
	}
	if i := strings.LastIndex(ref, ":"); i < 0 || strings.Contains(ref[i:], "/") {
		return ref + ":latest"
	}
	return ref
}
