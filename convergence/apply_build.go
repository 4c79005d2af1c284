package convergence

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
)

// build builds the image act names and records its id, as a pull does:
// the creates that wait for it stamp it. The folders given as additional
// contexts become images first, and go again once the build is over.
func (a *applier) build(ctx context.Context, act Action) error {
	if act.Build == nil {
		return errors.New("no build in plan")
	}
	report := a.buildReporter(progress.ID(resourceKind(act.Kind), act.Resource), act.Service)
	var made []string
	defer func() { a.removeContextImages(ctx, made) }()
	for _, req := range act.Build.ContextImages {
		if _, err := a.e.BuildImage(ctx, req, report); err != nil {
			return fmt.Errorf("service %s: making an image of additional context %s: %w", act.Service, req.ContextDir, err)
		}
		made = append(made, req.Tags[0])
	}
	id, err := a.e.BuildImage(ctx, act.Build.Request, report)
	if err != nil {
		return fmt.Errorf("service %s failed to build: %w", act.Service, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.pulled == nil {
		a.pulled = map[string]string{}
	}
	for _, tag := range act.Build.Request.Tags {
		a.pulled[tag] = id // a shared build makes the images of several services
	}
	return nil
}

// removeContextImages removes the images made of folder contexts, even
// after an interrupt: they are the build's own scratch.
func (a *applier) removeContextImages(ctx context.Context, tags []string) {
	for _, tag := range tags {
		_ = a.e.RemoveImage(context.WithoutCancel(ctx), tag)
	}
}

// buildReporter turns the build's step reports into events under parent:
// one line per step, named after the service so that the steps of builds
// running at once stay apart.
func (a *applier) buildReporter(parent, service string) func(engine.BuildProgress) {
	return func(p engine.BuildProgress) {
		if p.Notice != "" {
			a.notice.Do(func() {
				if a.opts.Notice != nil {
					a.opts.Notice(p.Notice)
				}
			})
		}
		if p.Step == nil || !p.Step.Started {
			return
		}
		e := stepEvent(*p.Step)
		e.Name, e.Parent, e.Time = service+" "+p.Step.Name, parent, a.opts.Now()
		a.sink.Emit(e)
	}
}

// stepEvent is a step's state as an event: running, done, cached, or
// failed with its output.
func stepEvent(s engine.BuildStep) progress.Event {
	e := progress.Event{Kind: progress.Step}
	switch {
	case s.Error != "":
		e.Status, e.Text = progress.Error, "Error"
		msg := s.Error
		if out := strings.TrimRight(s.Output, "\n"); out != "" {
			msg += "\n" + out
		}
		e.Err = errors.New(msg)
	case s.Completed && s.Cached:
		e.Status, e.Text = progress.Done, "Cached"
	case s.Completed:
		e.Status, e.Text = progress.Done, "Done"
	default:
		e.Status, e.Text = progress.Working, "Running"
	}
	return e
}
