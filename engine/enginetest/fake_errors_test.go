package enginetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
)

// setup is a fake holding a running "web" with volume "data" on network
// "front", a created "db", an unused network "back" and volume "spare".
func setup(t *testing.T) *Fake {
	t.Helper()
	f := withBusybox()
	if _, err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "front"}); err != nil {
		t.Fatal(err)
	}
	_, _ = f.CreateNetwork(ctx, engine.NetworkSpec{Name: "back"})
	_, _ = f.CreateVolume(ctx, engine.VolumeSpec{Name: "spare"})
	web := withMounts(spec("web"), mount.Mount{Type: mount.TypeVolume, Source: "data", Target: "/data"})
	web.Networking = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"front": {}}}
	if err := f.StartContainer(ctx, create(t, f, web)); err != nil {
		t.Fatal(err)
	}
	create(t, f, spec("db"))
	return f
}

func TestFakeErrors(t *testing.T) {
	tests := []struct {
		name     string
		call     func(f *Fake) error
		notFound bool
		conflict bool
		want     string // in the message
	}{
		{"create under a taken name", func(f *Fake) error { _, err := f.CreateContainer(ctx, spec("web")); return err }, false, true, `creating container web: Conflict. The container name "/web" is already in use`},
		{"rename to a taken name", func(f *Fake) error { return f.RenameContainer(ctx, "db", "web") }, false, true, "renaming container db to web: Conflict"},
		{"remove running", func(f *Fake) error { return f.RemoveContainer(ctx, "web", engine.RemoveOptions{}) }, false, true, "removing container web: You cannot remove a running container"},
		{"kill created", func(f *Fake) error { return f.KillContainer(ctx, "db", "") }, false, true, "is not running"},
		{"pause created", func(f *Fake) error { return f.PauseContainer(ctx, "db") }, false, true, "is not running"},
		{"pause twice", func(f *Fake) error { _ = f.PauseContainer(ctx, "web"); return f.PauseContainer(ctx, "web") }, false, true, "already paused"},
		{"unpause running: no conflict, as in the engine", func(f *Fake) error { return f.UnpauseContainer(ctx, "web") }, false, false, "is not paused"},
		{"start paused", func(f *Fake) error { _ = f.PauseContainer(ctx, "web"); return f.StartContainer(ctx, "web") }, false, true, "try unpause"},
		{"connect a running one twice", func(f *Fake) error { return f.ConnectNetwork(ctx, "front", "web", engine.EndpointSpec{}) }, false, false, "already exists in network front"},
		// The engine answers 403 for this one, which IsInUse tells apart.
		{"remove network in use", func(f *Fake) error {
			err := f.RemoveNetwork(ctx, "front")
			if !engine.IsInUse(err) {
				t.Errorf("IsInUse(%v) = false", err)
			}
			return err
		}, false, false, "has active endpoints"},
		{"create network under a taken name", func(f *Fake) error { _, err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "back"}); return err }, false, true, "creating network back:"},
		{"remove volume in use", func(f *Fake) error { return f.RemoveVolume(ctx, "data", true) }, false, true, "volume is in use"},
		{"start unknown", func(f *Fake) error { return f.StartContainer(ctx, "nope") }, true, false, "starting container nope: No such container: nope"},
		{"stop unknown", func(f *Fake) error { return f.StopContainer(ctx, "nope", nil) }, true, false, "stopping container nope"},
		{"remove unknown", func(f *Fake) error { return f.RemoveContainer(ctx, "nope", engine.RemoveOptions{Force: true}) }, true, false, "removing container nope"},
		{"inspect unknown", func(f *Fake) error { _, err := f.InspectContainer(ctx, "nope"); return err }, true, false, "inspecting container nope"},
		{"logs of unknown", func(f *Fake) error { _, err := f.Logs(ctx, "nope", 10); return err }, true, false, "No such container"},
		{"create from unknown image", func(f *Fake) error {
			s := spec("x")
			s.Config.Image = "nginx"
			_, err := f.CreateContainer(ctx, s)
			return err
		}, true, false, "creating container x: No such image: nginx"},
		{"create on unknown network", func(f *Fake) error {
			s := spec("x")
			s.Networking = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"nope": {}}}
			_, err := f.CreateContainer(ctx, s)
			return err
		}, true, false, "network nope not found"},
		{"connect to unknown network", func(f *Fake) error { return f.ConnectNetwork(ctx, "nope", "db", engine.EndpointSpec{}) }, true, false, "connecting container db to network nope"},
		{"remove unknown network", func(f *Fake) error { return f.RemoveNetwork(ctx, "nope") }, true, false, "removing network nope"},
		{"inspect unknown network", func(f *Fake) error { _, err := f.InspectNetwork(ctx, "nope"); return err }, true, false, "inspecting network nope"},
		{"remove unknown volume", func(f *Fake) error { return f.RemoveVolume(ctx, "nope", false) }, true, false, "removing volume nope"},
		{"inspect unknown volume", func(f *Fake) error { _, err := f.InspectVolume(ctx, "nope"); return err }, true, false, "inspecting volume nope"},
		{"unknown image id", func(f *Fake) error { _, err := f.ImageID(ctx, "nginx"); return err }, true, false, "inspecting image nginx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(setup(t))

			if err == nil {
				t.Fatal("no error")
			}
			if engine.IsNotFound(err) != tt.notFound || engine.IsConflict(err) != tt.conflict {
				t.Errorf("IsNotFound %v, IsConflict %v; want %v, %v (%v)", engine.IsNotFound(err), engine.IsConflict(err), tt.notFound, tt.conflict, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
		})
	}
}

func TestFakeTolerates(t *testing.T) {
	tests := []struct {
		name string
		call func(f *Fake) error
	}{
		{"removing a missing volume with force", func(f *Fake) error { return f.RemoveVolume(ctx, "nope", true) }},
		{"creating an existing volume", func(f *Fake) error { _, err := f.CreateVolume(ctx, engine.VolumeSpec{Name: "spare"}); return err }},
		{"connecting a created container twice", func(f *Fake) error {
			_ = f.ConnectNetwork(ctx, "back", "db", engine.EndpointSpec{})
			return f.ConnectNetwork(ctx, "back", "db", engine.EndpointSpec{})
		}},
		{"removing a running container with force", func(f *Fake) error { return f.RemoveContainer(ctx, "web", engine.RemoveOptions{Force: true}) }},
		{"removing an unused network", func(f *Fake) error { return f.RemoveNetwork(ctx, "back") }},
		{"renaming to a free name", func(f *Fake) error { return f.RenameContainer(ctx, "db", "db-old") }},
		{"creating from an image by another spelling", func(f *Fake) error {
			s := spec("x")
			s.Config.Image = "docker.io/library/busybox"
			_, err := f.CreateContainer(ctx, s)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(setup(t)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestFakeErrorInjectionLeavesStateAlone(t *testing.T) {
	boom := errors.New("boom")
	f := setup(t).Fail("RemoveContainer", boom)

	if err := f.RemoveContainer(ctx, "db", engine.RemoveOptions{}); !errors.Is(err, boom) {
		t.Errorf("RemoveContainer = %v, want boom", err)
	}
	if len(f.Containers()) != 2 {
		t.Errorf("a failed remove removed: %+v", f.Containers())
	}
	f.Fail("RemoveContainer", nil)
	if err := f.RemoveContainer(ctx, "db", engine.RemoveOptions{}); err != nil {
		t.Errorf("after clearing: %v", err)
	}
}
