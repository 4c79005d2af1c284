package enginetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/berth-compose/berth/engine"
)

func TestFakeListsByLabel(t *testing.T) {
	demo := map[string]string{"com.docker.compose.project": "demo"}
	f := New().
		WithContainers(
			engine.Container{Name: "demo-web-1", Labels: demo},
			engine.Container{Name: "other-web-1", Labels: map[string]string{"com.docker.compose.project": "other"}},
			engine.Container{Name: "demo-db-1", Labels: demo},
		).
		WithNetworks(engine.Network{Name: "demo_default", Labels: demo}, engine.Network{Name: "bridge"}).
		WithVolumes(engine.Volume{Name: "demo_data", Labels: demo})
	byProject := engine.Filter{Labels: []string{"com.docker.compose.project=demo"}}
	ctx := context.Background()

	cs, err := f.ListContainers(ctx, byProject)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(cs, func(c engine.Container) string { return c.Name }), []string{"demo-db-1", "demo-web-1"}; !reflect.DeepEqual(got, want) {
		t.Errorf("containers = %v, want %v", got, want)
	}
	ns, _ := f.ListNetworks(ctx, engine.Filter{})
	if got, want := names(ns, func(n engine.Network) string { return n.Name }), []string{"bridge", "demo_default"}; !reflect.DeepEqual(got, want) {
		t.Errorf("networks = %v, want %v", got, want)
	}
	vs, _ := f.ListVolumes(ctx, engine.Filter{Labels: []string{"nope"}})
	if len(vs) != 0 {
		t.Errorf("volumes = %v, want none", vs)
	}

	// Results are copies: changing one leaves the fake as it was.
	cs[0].Labels["com.docker.compose.project"] = "changed"
	again, _ := f.ListContainers(ctx, byProject)
	if len(again) != 2 {
		t.Errorf("mutating a result changed the fake: %v", again)
	}
}

func TestFakeErrorInjection(t *testing.T) {
	boom := errors.New("boom")
	f := New().Fail("Version", boom)

	if _, err := f.Version(context.Background()); !errors.Is(err, boom) {
		t.Errorf("Version error = %v, want boom", err)
	}
	if err := f.Ping(context.Background()); err != nil {
		t.Errorf("Ping error = %v, other methods should still work", err)
	}

	f.Fail("Version", nil)
	if v, err := f.Version(context.Background()); err != nil || v != DefaultVersion {
		t.Errorf("after clearing: Version = %+v, %v", v, err)
	}
}

func TestFakeFailRejectsUnknownMethod(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Fail with a misspelt method did not panic")
		}
	}()
	New().Fail("Verison", errors.New("x"))
}

func TestFakeClose(t *testing.T) {
	f := New()
	if err := f.Close(); err != nil || !f.Closed() {
		t.Errorf("Close = %v, Closed = %v", err, f.Closed())
	}
}

func names[T any](items []T, name func(T) string) []string {
	var out []string
	for _, it := range items {
		out = append(out, name(it))
	}
	return out
}
