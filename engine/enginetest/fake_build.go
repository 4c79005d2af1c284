package enginetest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// buildState is what the fake remembers of builds: every request, in
// order, and which requests it has seen, so a repeat is all cache hits.
type buildState struct {
	requests []engine.BuildRequest
	seen     map[string]string // request key -> the id it built
	failures map[string]*engine.BuildError
}

// FailBuild makes builds tagged tag fail with err (its Step and Output
// included, as a real failed step gives them); nil makes them succeed
// again.
func (f *Fake) FailBuild(tag string, err *engine.BuildError) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.builds.failures == nil {
		f.builds.failures = map[string]*engine.BuildError{}
	}
	if err == nil {
		delete(f.builds.failures, normalizeRef(tag))
	} else {
		f.builds.failures[normalizeRef(tag)] = err
	}
	return f
}

// Builds returns the requests BuildImage received, in order, failed ones
// included.
func (f *Fake) Builds() []engine.BuildRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.builds.requests)
}

// BuildImage records req and, unless made to fail, holds a new image
// under each of its tags. It reports two steps, as a small Dockerfile
// gives: its base and one instruction, both cached when the same request
// was built before (and NoCache is off); such a build gives the same
// image id again.
func (f *Fake) BuildImage(ctx context.Context, req engine.BuildRequest, progress func(engine.BuildProgress)) (string, error) {
	if len(req.Tags) == 0 {
		return "", fmt.Errorf("building: %w", engine.ErrConflict.WithMessage("no tag"))
	}
	if err := f.begin(ctx, "BuildImage", req.Tags[0]); err != nil {
		return "", err
	}
	f.mu.Lock()
	f.builds.requests = append(f.builds.requests, req)
	key := buildKey(req)
	_, built := f.builds.seen[key]
	cached := built && !req.NoCache
	failure := f.builds.failures[normalizeRef(req.Tags[0])]
	f.mu.Unlock()
	steps := []engine.BuildStep{
		{ID: "step-1", Name: "[1/2] FROM busybox", Started: true, Completed: true, Cached: cached},
		{ID: "step-2", Name: "[2/2] RUN true", Started: true, Completed: true, Cached: cached},
	}
	if failure != nil {
		steps[1].Name, steps[1].Error, steps[1].Output, steps[1].Cached = failure.Step, failure.Message, failure.Output, false
	}
	for i := range steps {
		if progress != nil {
			s := steps[i]
			progress(engine.BuildProgress{Step: &s})
		}
	}
	if failure != nil {
		return "", failure
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.builds.seen == nil {
		f.builds.seen = map[string]string{}
	}
	id := f.builds.seen[key]
	if !cached {
		// A real builder gives a fully cached build the image it gave before.
		id = "sha256:" + f.newID("image")
	}
	f.builds.seen[key] = id
	for _, tag := range req.Tags {
		f.images[normalizeRef(tag)] = id
		f.emit("image", "tag", normalizeRef(tag), map[string]string{"name": normalizeRef(tag)})
	}
	return id, nil
}

// buildKey is what makes two builds the same for the fake's cache.
func buildKey(req engine.BuildRequest) string {
	args := make([]string, 0, len(req.Args))
	for k, v := range req.Args {
		val := "<unset>"
		if v != nil {
			val = *v
		}
		args = append(args, k+"="+val)
	}
	slices.Sort(args)
	return strings.Join([]string{req.ContextDir, req.ContextURL, req.ContextKey, req.Dockerfile, string(req.DockerfileInline),
		req.Target, strings.Join(args, ",")}, "\x00")
}
