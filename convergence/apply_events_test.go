package convergence

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/berth-compose/berth/progress"
)

// TestApplyRecreateShowsOneLine: a recreate's create under a temporary
// name, stop, remove and rename all show as the final container, as
// Recreate then Recreated, so a view has one line for it and no line for a
// temporary name.
func TestApplyRecreateShowsOneLine(t *testing.T) {
	p, g := loadProject(t, "name: solo\nservices:\n  web: {image: web:1}\n")
	f := fakeWithImages()
	if err := applyUp(t, f, p, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	o, err := Observe(context.Background(), f, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanUp(p, g, o, UpOptions{Spec: specsFor(p), ForceRecreate: true})
	if err != nil {
		t.Fatal(err)
	}
	sink := &events{}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err = Apply(context.Background(), f, plan, sink, ApplyOptions{Project: p.Name, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range sink.all {
		if e.Time != at {
			t.Errorf("event %v has time %v, want the ApplyOptions clock's", e.ID(), e.Time)
		}
		line := e.ID() + " " + e.Status.String() + " " + e.Text
		if len(got) == 0 || got[len(got)-1] != line { // the steps repeat "Recreate"
			got = append(got, line)
		}
	}
	want := []string{
		"Container solo-web-1 working Recreate",
		"Container solo-web-1 done Recreated",
		"Container solo-web-1 working Starting",
		"Container solo-web-1 done Started",
	}
	if !slices.Equal(got, want) {
		t.Errorf("events:\n%q\nwant\n%q", got, want)
	}
}

// TestApplyEventKinds: each action's events carry the kind of engine
// object it works on and its bare name.
func TestApplyEventKinds(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	f := fakeWithImages()
	healthyOnStart(t, f)
	o, err := Observe(context.Background(), f, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanUp(p, g, o, UpOptions{Spec: specsFor(p)})
	if err != nil {
		t.Fatal(err)
	}
	sink := &events{}
	if err := Apply(context.Background(), f, plan, sink, ApplyOptions{Project: p.Name}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range sink.all {
		if e.Status == progress.Done {
			ids = append(ids, e.ID()+" "+e.Text)
		}
	}
	slices.Sort(ids)
	want := []string{
		"Container shop-api-1 Created", "Container shop-api-1 Started",
		"Container shop-db-1 Created", "Container shop-db-1 Started",
		"Container shop-web-1 Created", "Container shop-web-1 Started",
		"Network shop_default Created",
		"Service api Healthy",
		"Volume shop_data Created",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("done events:\n%q\nwant\n%q", ids, want)
	}
}
