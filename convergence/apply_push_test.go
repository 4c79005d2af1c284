package convergence

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/progress"
)

// TestApplyPullsAndPushesWithAuth: pulls and pushes ask ApplyOptions.Auth
// for their image's login, and only a successful pull is reported to
// Pulled.
func TestApplyPullsAndPushesWithAuth(t *testing.T) {
	p, _ := loadProject(t, `
name: au
services:
  app: {image: "reg.example/app:1", build: .}
  db: {image: "reg.example/db:1"}
`)
	f := enginetest.New().WithRegistryLogin("reg.example", "ann", "pw").WithImage("reg.example/app:1", "sha256:app")
	var mu sync.Mutex
	var asked, pulled []string
	opts := ApplyOptions{
		Auth: func(ref string) (engine.RegistryAuth, error) {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, ref)
			return engine.RegistryAuth{ServerAddress: "reg.example", Username: "ann", Password: "pw"}, nil
		},
		Pulled: func(ref string) { mu.Lock(); pulled = append(pulled, ref); mu.Unlock() },
	}
	push, err := PlanPush(p, []string{"app", "db"}, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(context.Background(), f, push.Plan, progress.Discard, opts); err != nil {
		t.Fatalf("push: %v", err)
	}
	if id, ok := f.RegistryImage("reg.example/app:1"); !ok || id != "sha256:app" {
		t.Errorf("registry holds %q, %v after push", id, ok)
	}
	f.WithRegistryImage("reg.example/db:1", "sha256:db")
	pull, err := PlanPull(p, []string{"app", "db"}, nil, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(context.Background(), f, pull.Plan, progress.Discard, opts); err != nil {
		t.Fatalf("pull: %v", err)
	}
	slices.Sort(asked)
	slices.Sort(pulled)
	if want := []string{"reg.example/app:1", "reg.example/app:1", "reg.example/db:1"}; !slices.Equal(asked, want) {
		t.Errorf("Auth asked for %v, want %v", asked, want)
	}
	if want := []string{"reg.example/app:1", "reg.example/db:1"}; !slices.Equal(pulled, want) {
		t.Errorf("Pulled heard of %v, want %v", pulled, want)
	}
}

// TestApplyAuthFailures: a refused login and a login that cannot be read
// fail the pull, name the service, and the optional pull only warns.
func TestApplyAuthFailures(t *testing.T) {
	p, _ := loadProject(t, "name: au\nservices:\n  db: {image: reg.example/db:1}\n  web: {image: reg.example/web:1}\n")
	f := enginetest.New().WithRegistryLogin("reg.example", "ann", "pw")
	wrong := ApplyOptions{Auth: func(string) (engine.RegistryAuth, error) {
		return engine.RegistryAuth{Username: "ann", Password: "not-it"}, nil
	}}
	pull, err := PlanPull(p, []string{"db"}, nil, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = Apply(context.Background(), f, pull.Plan, progress.Discard, wrong)
	if !errors.Is(err, enginetest.ErrUnauthorized) || !strings.Contains(err.Error(), "Image reg.example/db:1: for service db: ") {
		t.Errorf("wrong password: %v", err)
	}
	unreadable := ApplyOptions{Auth: func(string) (engine.RegistryAuth, error) { return engine.RegistryAuth{}, errors.New("helper failed") }}
	if err := Apply(context.Background(), f, pull.Plan, progress.Discard, unreadable); err == nil || !strings.Contains(err.Error(), "for service db: helper failed") {
		t.Errorf("unreadable login: %v", err)
	}
	if got := f.Calls("PullImage"); len(got) != 1 {
		t.Errorf("pulls %v: a login that cannot be read must not reach the engine", got)
	}
	ignoring, err := PlanPull(p, []string{"db", "web"}, nil, PullOptions{IgnoreFailures: true})
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	var warnedMu sync.Mutex // Apply emits from each step's goroutine
	sink := progress.SinkFunc(func(e progress.Event) {
		if e.Status == progress.Warning {
			warnedMu.Lock()
			warned = append(warned, e.Name)
			warnedMu.Unlock()
		}
	})
	if err := Apply(context.Background(), f, ignoring.Plan, sink, wrong); err != nil {
		t.Errorf("--ignore-pull-failures: %v", err)
	}
	slices.Sort(warned)
	if !slices.Equal(warned, []string{"reg.example/db:1", "reg.example/web:1"}) {
		t.Errorf("warnings for %v, want both images", warned)
	}
}
