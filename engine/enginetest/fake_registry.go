package enginetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// registryState is the fake's one registry, standing for every registry
// host: what was pushed to it, the logins hosts ask for, and the pulls it
// served. The Fake's lock guards it; its maps are made on first use.
type registryState struct {
	repos  map[string]string    // normalised reference -> image id
	logins map[string][2]string // registry host -> {user, password}
	pulls  []string             // normalised references, in pull order
}

// ErrUnauthorized is what the fake registry answers to a pull or push
// whose credentials do not match the host's login, worded as a registry
// words it.
var ErrUnauthorized = errors.New("unauthorized: authentication required")

// WithRegistryLogin makes the registry at host ("reg.example:5000",
// "docker.io") accept pulls and pushes only with user and password.
func (f *Fake) WithRegistryLogin(host, user, password string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.registry.logins == nil {
		f.registry.logins = map[string][2]string{}
	}
	f.registry.logins[host] = [2]string{user, password}
	return f
}

// WithRegistryImage puts an image with id in the registry under ref, as a
// push from elsewhere would: a pull of ref then gives that id.
func (f *Fake) WithRegistryImage(ref, id string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.registry.put(normalizeRef(ref), id)
	return f
}

// RegistryImage is the id the registry holds under ref, and whether it
// holds it.
func (f *Fake) RegistryImage(ref string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.registry.repos[normalizeRef(ref)]
	return id, ok
}

// Pulls lists the references pulled so far, normalised, in order: a test
// of "each image once" counts them.
func (f *Fake) Pulls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.registry.pulls)
}

// PushImage copies the local image ref to the registry, with the progress
// of one layer, after the same login check as PullImage.
func (f *Fake) PushImage(ctx context.Context, ref string, auth engine.RegistryAuth, progress func(engine.PushProgress)) error {
	if err := f.begin(ctx, "PushImage", ref); err != nil {
		return err
	}
	f.mu.Lock()
	norm := normalizeRef(ref)
	id, ok := f.images[norm]
	var err error
	switch {
	case !ok:
		err = noSuch("image", ref)
	default:
		err = f.registry.check(ref, auth)
	}
	if err != nil {
		f.mu.Unlock()
		return fmt.Errorf("pushing image %s: %w", ref, err)
	}
	f.registry.put(norm, id)
	f.emit("image", "push", norm, map[string]string{"name": norm})
	f.mu.Unlock()
	if progress != nil {
		for _, u := range []engine.PushProgress{
			{Status: "The push refers to repository [" + norm + "]"},
			{ID: "fakelayer", Status: "Pushing", Current: 512, Total: 1024},
			{ID: "fakelayer", Status: "Pushed"},
		} {
			progress(u)
		}
	}
	return nil
}

func (r *registryState) put(norm, id string) {
	if r.repos == nil {
		r.repos = map[string]string{}
	}
	r.repos[norm] = id
}

// check refuses auth that does not match the login of ref's host. The
// caller holds the Fake's lock.
func (r *registryState) check(ref string, auth engine.RegistryAuth) error {
	login, ok := r.logins[registryHost(ref)]
	if !ok || auth.Username == login[0] && auth.Password == login[1] {
		return nil
	}
	return ErrUnauthorized
}

// registryHost is the registry part of a reference, by the engine's rule:
// a first component with a dot or a port, or localhost; else Docker Hub.
func registryHost(ref string) string {
	first, _, found := strings.Cut(ref, "/")
	if found && (strings.ContainsAny(first, ".:") || first == "localhost") {
		return first
	}
	return "docker.io"
}
