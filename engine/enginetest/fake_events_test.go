package enginetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/mount"
)

// collect reads n events, failing the test if the stream ends first.
func collect(t *testing.T, events <-chan engine.Event, n int) []string {
	t.Helper()
	var got []string
	for range n {
		e, ok := <-events
		if !ok {
			t.Fatalf("stream ended after %v", got)
		}
		got = append(got, e.Type+" "+e.Action+" "+e.Attributes["name"])
	}
	return got
}

func TestFakeEvents(t *testing.T) {
	f := withBusybox()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	all, _ := f.Events(ctx, engine.Filter{})
	webOnly, webErrs := f.Events(ctx, engine.Filter{Labels: []string{"app=web"}})

	_, _ = f.CreateNetwork(ctx, engine.NetworkSpec{Name: "front", Labels: map[string]string{"app": "web"}})
	id := create(t, f, withMounts(withHealthcheck(spec("web")), mount.Mount{Type: mount.TypeVolume, Source: "data", Target: "/data"}))
	create(t, f, spec("db"))
	_ = f.StartContainer(ctx, id)
	_ = f.SetHealth("web", "healthy")
	_ = f.StopContainer(ctx, id, nil)
	_ = f.RenameContainer(ctx, id, "web-old")
	_ = f.RemoveContainer(ctx, id, engine.RemoveOptions{})

	// A label filter sees containers only: the engine puts no labels on
	// network and volume events.
	wantWeb := []string{
		"container create web", "container start web", "container health_status: healthy web",
		"container kill web", "container die web", "container stop web",
		"container rename web-old", "container destroy web-old",
	}
	if got := collect(t, webOnly, len(wantWeb)); !reflect.DeepEqual(got, wantWeb) {
		t.Errorf("filtered events\n got %q\nwant %q", got, wantWeb)
	}
	wantAll := append([]string{"network create front", "volume create ", "container create web", "container create db"}, wantWeb[1:]...)
	if got := collect(t, all, len(wantAll)); !reflect.DeepEqual(got, wantAll) {
		t.Errorf("all events\n got %q\nwant %q", got, wantAll)
	}

	cancel()
	for e := range webOnly {
		t.Errorf("event after cancel: %+v", e)
	}
	if err := <-webErrs; !errors.Is(err, context.Canceled) {
		t.Errorf("stream error = %v, want context.Canceled", err)
	}
}

func TestFakeEventsAttributes(t *testing.T) {
	f := withBusybox()
	events, _ := f.Events(t.Context(), engine.Filter{Labels: []string{"app=web"}})
	id := create(t, f, spec("web"))
	_ = f.StartContainer(ctx, id)
	_ = f.Exit(id, 3)

	var die engine.Event
	for e := range events {
		if e.Action == "die" {
			die = e
			break
		}
	}
	want := map[string]string{"app": "web", "name": "web", "image": "busybox:latest", "exitCode": "3"}
	if die.ID != id || die.Type != "container" || !reflect.DeepEqual(die.Attributes, want) || die.Time.IsZero() {
		t.Errorf("die event = %+v", die)
	}
}

func TestFakeEventsFailure(t *testing.T) {
	boom := errors.New("boom")
	events, errs := New().Fail("Events", boom).Events(t.Context(), engine.Filter{})

	if _, ok := <-events; ok {
		t.Error("a failed stream delivered an event")
	}
	if err := <-errs; !errors.Is(err, boom) {
		t.Errorf("error = %v, want boom", err)
	}
}
