package convergence

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
)

// pull pulls the image act names and records its id: the creates that wait
// for the pull stamp it (see pulledImage). Each layer update becomes an
// event under the image, for renderers that draw layers.
func (a *applier) pull(ctx context.Context, act Action) error {
	auth, err := a.auth(act)
	if err != nil {
		return err
	}
	parent := progress.ID(resourceKind(act.Kind), act.Resource)
	err = a.e.PullImage(ctx, act.Resource, auth, func(u engine.PullProgress) {
		if e, ok := layerEvent(parent, u); ok {
			e.Time = a.opts.Now()
			a.sink.Emit(e)
		}
	})
	if err != nil {
		return imageError(act, err)
	}
	if a.opts.Pulled != nil {
		a.opts.Pulled(act.Resource)
	}
	id, err := a.e.ImageID(ctx, act.Resource)
	if err != nil {
		return fmt.Errorf("finding the image just pulled: %w", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pulled == nil {
		a.pulled = map[string]string{}
	}
	a.pulled[act.Resource] = id
	return nil
}

// auth is the login for act's image, anonymous without ApplyOptions.Auth.
func (a *applier) auth(act Action) (engine.RegistryAuth, error) {
	if a.opts.Auth == nil {
		return engine.RegistryAuth{}, nil
	}
	auth, err := a.opts.Auth(act.Resource)
	if err != nil {
		return engine.RegistryAuth{}, imageError(act, err)
	}
	return auth, nil
}

// imageError names the services an image is for: the reference alone may
// not say which part of the compose file to fix.
func imageError(act Action, err error) error {
	switch {
	case err == nil || len(act.Services) == 0:
		return err
	case len(act.Services) == 1:
		return fmt.Errorf("for service %s: %w", act.Services[0], err)
	}
	return fmt.Errorf("for services %s: %w", strings.Join(act.Services, ", "), err)
}

// push pushes the image act names, with its layers' progress as events
// under the image.
func (a *applier) push(ctx context.Context, act Action) error {
	auth, err := a.auth(act)
	if err != nil {
		return err
	}
	parent := progress.ID(resourceKind(act.Kind), act.Resource)
	err = a.e.PushImage(ctx, act.Resource, auth, func(u engine.PushProgress) {
		if e, ok := pushLayerEvent(parent, u); ok {
			e.Time = a.opts.Now()
			a.sink.Emit(e)
		}
	})
	return imageError(act, err)
}

// pushLayerEvent turns a push message about one layer into an event
// grouped under parent; messages about the whole push have no layer.
func pushLayerEvent(parent string, u engine.PushProgress) (progress.Event, bool) {
	if u.ID == "" {
		return progress.Event{}, false
	}
	status := progress.Working
	if u.Status == "Pushed" || u.Status == "Layer already exists" {
		status = progress.Done
	}
	return progress.Event{Kind: progress.Layer, Name: u.ID, Parent: parent, Status: status, Text: u.Status,
		Current: u.Current, Total: u.Total}, true
}

// layerEvent turns a pull message about one layer into an event grouped
// under parent. The opening message (its ID is the tag) and the closing
// ones (no ID) are about the image, whose own events Apply emits.
func layerEvent(parent string, u engine.PullProgress) (progress.Event, bool) {
	if u.ID == "" || strings.HasPrefix(u.Status, "Pulling from") {
		return progress.Event{}, false
	}
	status := progress.Working
	if u.Status == "Pull complete" || u.Status == "Already exists" {
		status = progress.Done
	}
	return progress.Event{Kind: progress.Layer, Name: u.ID, Parent: parent, Status: status, Text: u.Status,
		Current: u.Current, Total: u.Total}, true
}

// pulledImage gives spec the com.docker.compose.image label of an image
// this plan pulled. The planner cannot set it: the id of a missing image
// is only known once pulled, as the ids RefHash needs are only known once
// created. It wins over a label the spec has: that one holds the id the
// image had before this pull (--pull always), and the container runs the
// pulled one.
func (a *applier) pulledImage(spec engine.ContainerSpec) engine.ContainerSpec {
	if spec.Config == nil {
		return spec
	}
	a.mu.Lock()
	id := a.pulled[spec.Config.Image]
	a.mu.Unlock()
	if id == "" {
		return spec
	}
	config := *spec.Config // the plan's spec is shared: change a copy
	config.Labels = maps.Clone(config.Labels)
	if config.Labels == nil {
		config.Labels = map[string]string{}
	}
	config.Labels[LabelImage] = id
	spec.Config = &config
	return spec
}
