package enginetest

import (
	"context"
	"errors"
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestFakeContainerStatsOnce: one reading is the newest one fed, or a zero
// reading with the container's id and name when none was; a missing
// container is not found.
func TestFakeContainerStatsOnce(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	if err := f.FeedStats("web", engine.StatsSample{PIDs: 1}, engine.StatsSample{PIDs: 2}); err != nil {
		t.Fatal(err)
	}
	fresh := create(t, f, spec("fresh"))
	tests := []struct {
		name string
		ref  string
		want engine.StatsSample
	}{
		{"newest fed, id and name filled in", id, engine.StatsSample{ID: id, Name: "web", PIDs: 2}},
		{"none fed", fresh, engine.StatsSample{ID: fresh, Name: "fresh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []engine.StatsSample
			if err := f.ContainerStats(ctx, tt.ref, false, func(s engine.StatsSample) error { got = append(got, s); return nil }); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0] != tt.want {
				t.Errorf("readings %+v, want one: %+v", got, tt.want)
			}
		})
	}
	err := f.ContainerStats(ctx, "nosuch", false, func(engine.StatsSample) error { return nil })
	if !engine.IsNotFound(err) {
		t.Errorf("missing container: %v, want not found", err)
	}
	if err := f.FeedStats("nosuch"); !engine.IsNotFound(err) {
		t.Errorf("feeding a missing container: %v, want not found", err)
	}
}

// TestFakeContainerStatsStream: a stream of a running container gives
// each reading as it is fed, ends with nil when the container is removed,
// and with ctx.Err() when ctx ends; each's error ends it too.
func TestFakeContainerStatsStream(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	if err := f.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	got := make(chan uint64)
	done := make(chan error, 1)
	go func() {
		done <- f.ContainerStats(ctx, id, true, func(s engine.StatsSample) error { got <- s.PIDs; return nil })
	}()
	for _, n := range []uint64{3, 4} {
		if err := f.FeedStats("web", engine.StatsSample{PIDs: n}); err != nil {
			t.Fatal(err)
		}
		if pids := <-got; pids != n {
			t.Errorf("reading with %d pids, want %d", pids, n)
		}
	}
	if err := f.RemoveContainer(ctx, id, engine.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("stream of a removed container ended with %v, want nil", err)
	}

	id = create(t, f, spec("stopped"))
	cctx, cancel := context.WithCancel(ctx)
	go func() {
		done <- f.ContainerStats(cctx, id, true, func(s engine.StatsSample) error { got <- s.PIDs; return nil })
	}()
	<-got // a container that does not run gives a zero reading at once
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("stream ended with %v when its ctx did, want context.Canceled", err)
	}

	stop := errors.New("enough")
	err := f.ContainerStats(ctx, id, true, func(engine.StatsSample) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("each failing ended the stream with %v, want its error", err)
	}
}
