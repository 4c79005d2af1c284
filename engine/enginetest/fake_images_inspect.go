package enginetest

import (
	"context"
	"fmt"
	"slices"

	"github.com/berth-compose/berth/engine"
)

// WithImageDetails makes the engine hold image ref with img.ID, as
// WithImage does, and describe it with img's size, times, platform,
// author and comment. An image given only with WithImage is linux/amd64
// and has no size or times.
func (f *Fake) WithImageDetails(ref string, img engine.Image) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.images[normalizeRef(ref)] = img.ID
	f.setImage(img)
	return f
}

// InspectImage describes a held image, found by reference or id: its
// details and every reference that names it, sorted.
func (f *Fake) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	if err := f.begin(ctx, "InspectImage", ref); err != nil {
		return engine.Image{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.image(ref)
	if !ok {
		return engine.Image{}, fmt.Errorf("inspecting image %s: %w", ref, noSuch("image", ref))
	}
	img := f.imageDetails(id)
	for key, held := range f.images {
		if held == id && key != id {
			img.RepoTags = append(img.RepoTags, key)
		}
	}
	slices.Sort(img.RepoTags)
	return img, nil
}

// imageDetails is what is known of the image with id, without its tags.
// The caller holds the fake's lock.
func (f *Fake) imageDetails(id string) engine.Image {
	img, ok := f.inspect.images[id]
	if !ok {
		img = engine.Image{OS: "linux", Architecture: "amd64"}
	}
	img.ID, img.RepoTags = id, nil
	return img
}

// setImage keeps img's details by its id. The caller holds the lock.
func (f *Fake) setImage(img engine.Image) {
	if f.inspect.images == nil {
		f.inspect.images = map[string]engine.Image{}
	}
	img.RepoTags = nil
	f.inspect.images[img.ID] = img
}
