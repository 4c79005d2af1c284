package enginetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

func TestFakeBuildImage(t *testing.T) {
	ctx := context.Background()
	f := New()
	req := engine.BuildRequest{ContextDir: "/src", Dockerfile: "/src/Dockerfile", Tags: []string{"shop-web", "shop/web:1"}}
	var steps []engine.BuildStep
	id, err := f.BuildImage(ctx, req, func(p engine.BuildProgress) { steps = append(steps, *p.Step) })
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range req.Tags {
		if got, err := f.ImageID(ctx, tag); err != nil || got != id {
			t.Errorf("ImageID(%s) = %q, %v; want %q", tag, got, err, id)
		}
	}
	if len(steps) != 2 || steps[0].Cached {
		t.Errorf("first build's steps = %+v, want two uncached", steps)
	}
	steps = nil
	again, err := f.BuildImage(ctx, req, func(p engine.BuildProgress) { steps = append(steps, *p.Step) })
	if err != nil || again != id {
		t.Errorf("second build = %q, %v; want the same id %q", again, err, id)
	}
	for _, s := range steps {
		if !s.Cached {
			t.Errorf("second build's step %s is not cached", s.Name)
		}
	}
	req.NoCache = true
	if fresh, _ := f.BuildImage(ctx, req, nil); fresh == id {
		t.Error("a NoCache build gave the cached image")
	}
	if n := len(f.Builds()); n != 3 {
		t.Errorf("Builds() has %d requests, want 3", n)
	}
}

func TestFakeBuildFailure(t *testing.T) {
	ctx := context.Background()
	f := New().FailBuild("shop-web", &engine.BuildError{Step: "[2/2] RUN false", Message: "exit code: 1", Output: "boom\n"})
	var last engine.BuildStep
	_, err := f.BuildImage(ctx, engine.BuildRequest{ContextDir: "/src", Tags: []string{"shop-web"}},
		func(p engine.BuildProgress) { last = *p.Step })
	var be *engine.BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "RUN false") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("err = %v, want the failing step and its output", err)
	}
	if last.Error == "" || last.Output != "boom\n" {
		t.Errorf("last step = %+v, want the error and output", last)
	}
	if _, err := f.ImageID(ctx, "shop-web"); !engine.IsNotFound(err) {
		t.Errorf("a failed build left an image: %v", err)
	}
	f.FailBuild("shop-web", nil)
	if _, err := f.BuildImage(ctx, engine.BuildRequest{ContextDir: "/src", Tags: []string{"shop-web"}}, nil); err != nil {
		t.Errorf("after FailBuild(nil): %v", err)
	}
}
