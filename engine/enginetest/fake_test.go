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

func TestFakeCallsTimeline(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	_ = f.StartContainer(ctx, id)
	_ = f.RenameContainer(ctx, "web", "web-old")
	_ = f.ConnectNetwork(ctx, "bridge", "web-old", engine.EndpointSpec{})
	_, _ = f.ListContainers(ctx, engine.Filter{Labels: []string{"a=b", "c"}})
	_ = f.StartContainer(ctx, "nope")

	want := []Call{
		{"CreateContainer", "web"}, {"StartContainer", id}, {"RenameContainer", "web web-old"},
		{"ConnectNetwork", "bridge web-old"}, {"ListContainers", "a=b,c"}, {"StartContainer", "nope"},
	}
	if got := f.Calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("Calls()\n got %v\nwant %v", got, want)
	}
	if got := f.Calls("StartContainer"); !reflect.DeepEqual(got, []Call{want[1], want[5]}) {
		t.Errorf("Calls(StartContainer) = %v", got)
	}
	if s := want[2].String(); s != "RenameContainer web web-old" {
		t.Errorf("String() = %q", s)
	}
}

func TestFakeOnCallInjectsPerTarget(t *testing.T) {
	denied := errors.New("pull access denied")
	f := New().OnCall(func(_ context.Context, c Call) error {
		if c.Method == "PullImage" && c.Target == "private/app" {
			return denied
		}
		return nil
	})
	var progress []engine.PullProgress

	if err := f.PullImage(ctx, "private/app", engine.RegistryAuth{}, nil); !errors.Is(err, denied) {
		t.Errorf("PullImage(private/app) = %v", err)
	}
	if err := f.PullImage(ctx, "busybox", engine.RegistryAuth{}, func(u engine.PullProgress) { progress = append(progress, u) }); err != nil || len(progress) == 0 {
		t.Errorf("PullImage(busybox) = %v, progress %+v", err, progress)
	}
	if _, err := f.ImageID(ctx, "busybox:latest"); err != nil {
		t.Errorf("the pulled image is not there: %v", err)
	}
	if _, err := f.ImageID(ctx, "private/app"); !engine.IsNotFound(err) {
		t.Errorf("the denied image is there: %v", err)
	}
}

func TestFakeOnCallBlocksMidWalk(t *testing.T) {
	f := withBusybox()
	entered, release := make(chan struct{}), make(chan struct{})
	f.OnCall(func(ctx context.Context, c Call) error {
		if c.Method != "StartContainer" {
			return nil
		}
		close(entered)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	id := create(t, f, spec("web"))
	done := make(chan error)
	go func() { done <- f.StartContainer(ctx, id) }()

	<-entered
	// While the start is held, the fake still answers other calls and the
	// container has not started.
	if d, err := f.InspectContainer(ctx, id); err != nil || d.State != engine.StateCreated {
		t.Errorf("during the held start: %s, %v", d.State, err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if d := details(t, f, "web"); d.State != engine.StateRunning {
		t.Errorf("after release: %s", d.State)
	}
}

func TestFakeCancelledContext(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	cancelled, cancel := context.WithCancel(ctx)
	cancel()

	if err := f.StartContainer(cancelled, id); !errors.Is(err, context.Canceled) {
		t.Errorf("StartContainer with a cancelled context = %v", err)
	}
	if d := details(t, f, "web"); d.State != engine.StateCreated {
		t.Errorf("state = %s, want created", d.State)
	}
}
