package enginetest

import (
	"context"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
)

var ctx = context.Background()

func withBusybox() *Fake { return New().WithImage("busybox", "sha256:b") }

func spec(name string) engine.ContainerSpec {
	return engine.ContainerSpec{Name: name, Config: &container.Config{Image: "busybox:latest", Labels: map[string]string{"app": name}}}
}

func withHealthcheck(s engine.ContainerSpec) engine.ContainerSpec {
	s.Config.Healthcheck = &container.HealthConfig{Test: []string{"CMD", "true"}}
	return s
}

func withMounts(s engine.ContainerSpec, ms ...mount.Mount) engine.ContainerSpec {
	s.Host = &container.HostConfig{Mounts: ms}
	return s
}

func create(t *testing.T, f *Fake, s engine.ContainerSpec) string {
	t.Helper()
	id, err := f.CreateContainer(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// details is a container's end state, found by name without a recorded call.
func details(t *testing.T, f *Fake, name string) engine.ContainerDetails {
	t.Helper()
	d, ok := f.Container(name)
	if !ok {
		t.Fatalf("no container %s", name)
	}
	return d
}

func TestFakeContainerLifecycle(t *testing.T) {
	type view struct {
		State    engine.ContainerState
		Status   string
		Health   string
		ExitCode int
	}
	stop := time.Second
	tests := []struct {
		name  string
		spec  engine.ContainerSpec
		steps func(f *Fake, id string) error
		want  view
	}{
		{"created", spec("web"), func(*Fake, string) error { return nil }, view{engine.StateCreated, "Created", "", 0}},
		{"started", spec("web"), func(f *Fake, id string) error { return f.StartContainer(ctx, id) }, view{engine.StateRunning, "Up", "", 0}},
		{"started twice is fine", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.StartContainer(ctx, id)
		}, view{engine.StateRunning, "Up", "", 0}},
		{"healthcheck starts in starting", withHealthcheck(spec("web")), func(f *Fake, id string) error { return f.StartContainer(ctx, id) },
			view{engine.StateRunning, "Up (health: starting)", "starting", 0}},
		{"healthy", withHealthcheck(spec("web")), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.SetHealth("web", "healthy")
		}, view{engine.StateRunning, "Up (healthy)", "healthy", 0}},
		{"stopped", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.StopContainer(ctx, id, &stop)
		}, view{engine.StateExited, "Exited (0)", "", 0}},
		{"stopped with a healthcheck is unhealthy", withHealthcheck(spec("web")), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			_ = f.SetHealth(id, "healthy")
			return f.StopContainer(ctx, id, nil)
		}, view{engine.StateExited, "Exited (0)", "unhealthy", 0}},
		{"stopping a stopped one is fine", spec("web"), func(f *Fake, id string) error { return f.StopContainer(ctx, id, nil) },
			view{engine.StateCreated, "Created", "", 0}},
		{"killed", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.KillContainer(ctx, id, "")
		}, view{engine.StateExited, "Exited (137)", "", 137}},
		{"SIGHUP leaves it running", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.KillContainer(ctx, id, "SIGHUP")
		}, view{engine.StateRunning, "Up", "", 0}},
		{"exited by itself", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.Exit("web", 3)
		}, view{engine.StateExited, "Exited (3)", "", 3}},
		{"restarted after exit", withHealthcheck(spec("web")), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			_ = f.Exit(id, 1)
			return f.StartContainer(ctx, id)
		}, view{engine.StateRunning, "Up (health: starting)", "starting", 0}},
		{"paused", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			return f.PauseContainer(ctx, id)
		}, view{engine.StatePaused, "Up (Paused)", "", 0}},
		{"unpaused", spec("web"), func(f *Fake, id string) error {
			_ = f.StartContainer(ctx, id)
			_ = f.PauseContainer(ctx, id)
			return f.UnpauseContainer(ctx, id)
		}, view{engine.StateRunning, "Up", "", 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withBusybox()
			id := create(t, f, tt.spec)

			if err := tt.steps(f, id); err != nil {
				t.Fatal(err)
			}

			d := details(t, f, "web")
			got := view{d.State, d.Status, d.Health, d.ExitCode}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFakeCreateRecordsSpec(t *testing.T) {
	f := withBusybox().WithNetworks(engine.Network{Name: "demo_back"})
	s := spec("web")
	s.Networking = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"demo_back": {}}}

	id := create(t, f, s)
	if err := f.ConnectNetwork(ctx, "bridge", "web", engine.EndpointSpec{}); err != nil {
		t.Fatal(err)
	}

	d := details(t, f, "web")
	if d.ID != id || d.Image != "busybox:latest" || d.ImageID != "sha256:b" || d.Labels["app"] != "web" {
		t.Errorf("recorded %+v", d)
	}
	if want := []string{"bridge", "demo_back"}; !reflect.DeepEqual(d.Networks, want) {
		t.Errorf("Networks = %v, want %v", d.Networks, want)
	}
}

func TestFakeCreateTakesOneNetworkBeforeAPI144(t *testing.T) {
	s := spec("web")
	s.Networking = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{"a": {}, "b": {}}}
	newer := DefaultVersion
	newer.NegotiatedAPIVersion = "1.44"

	if _, err := withBusybox().WithNetworks(engine.Network{Name: "a"}, engine.Network{Name: "b"}).CreateContainer(ctx, s); err == nil {
		t.Error("API 1.41: create on two networks succeeded")
	}
	f := withBusybox().WithVersion(newer).WithNetworks(engine.Network{Name: "a"}, engine.Network{Name: "b"})
	if _, err := f.CreateContainer(ctx, s); err != nil {
		t.Errorf("API 1.44: %v", err)
	}
}

func TestFakeMounts(t *testing.T) {
	f := withBusybox()
	s := withMounts(spec("web"),
		mount.Mount{Type: mount.TypeVolume, Source: "data", Target: "/data"},
		mount.Mount{Type: mount.TypeVolume, Target: "/anon"},
		mount.Mount{Type: mount.TypeBind, Source: "/src", Target: "/app"},
	)
	s.Host.Binds = []string{"cache:/cache:ro", "./conf:/conf"}
	s.Host.Tmpfs = map[string]string{"/run": ""}
	s.Config.Volumes = map[string]struct{}{"/data": {}, "/image-volume": {}}

	create(t, f, s)

	d := details(t, f, "web")
	var got []string
	for _, m := range d.Mounts {
		name := m.Name
		if isAnonymousName(name) {
			name = "<anonymous>"
		}
		got = append(got, m.Type+" "+name+" "+m.Destination)
	}
	want := []string{"volume <anonymous> /anon", "bind  /app", "volume cache /cache", "bind  /conf", "volume data /data", "volume <anonymous> /image-volume", "tmpfs  /run"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mounts\n got %q\nwant %q", got, want)
	}
	if vs := f.Volumes(); len(vs) != 4 {
		t.Errorf("volumes = %+v, want cache, data and two anonymous ones", vs)
	}
}

func TestFakeRemoveAnonymousVolumes(t *testing.T) {
	tests := []struct {
		name        string
		removeOpts  engine.RemoveOptions
		inherit     bool // a second container mounts the anonymous volume by name
		wantAnon    bool
		wantVolumes int
	}{
		{"Volumes removes anonymous ones only", engine.RemoveOptions{Volumes: true}, false, false, 1},
		{"without Volumes they stay", engine.RemoveOptions{}, false, true, 2},
		{"one still in use stays", engine.RemoveOptions{Volumes: true}, true, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withBusybox()
			id := create(t, f, withMounts(spec("web"),
				mount.Mount{Type: mount.TypeVolume, Source: "data", Target: "/data"},
				mount.Mount{Type: mount.TypeVolume, Target: "/anon"}))
			anon := details(t, f, "web").Mounts[0].Name
			if tt.inherit {
				create(t, f, withMounts(spec("web-new"), mount.Mount{Type: mount.TypeVolume, Source: anon, Target: "/anon"}))
			}

			if err := f.RemoveContainer(ctx, id, tt.removeOpts); err != nil {
				t.Fatal(err)
			}

			vs := f.Volumes()
			_, err := f.InspectVolume(ctx, anon)
			if len(vs) != tt.wantVolumes || (err == nil) != tt.wantAnon {
				t.Errorf("volumes after remove = %+v, anonymous one kept = %v", vs, err == nil)
			}
			if want := map[bool]int{false: 0, true: 1}[tt.inherit]; len(f.Containers()) != want {
				t.Errorf("containers left: %+v, want %d", f.Containers(), want)
			}
		})
	}
}

func TestFakeInheritedAnonymousVolumeIsNotTheHeirs(t *testing.T) {
	// As in the engine, a volume a container mounts by name is not its
	// anonymous volume, even if another container created it anonymously.
	f := withBusybox()
	id := create(t, f, withMounts(spec("web"), mount.Mount{Type: mount.TypeVolume, Target: "/anon"}))
	anon := details(t, f, "web").Mounts[0].Name
	heir := create(t, f, withMounts(spec("web-new"), mount.Mount{Type: mount.TypeVolume, Source: anon, Target: "/anon"}))

	_ = f.RemoveContainer(ctx, id, engine.RemoveOptions{Volumes: true})
	_ = f.RemoveContainer(ctx, heir, engine.RemoveOptions{Volumes: true})

	if _, err := f.InspectVolume(ctx, anon); err != nil {
		t.Errorf("the inherited volume was removed: %v", err)
	}
}

func TestFakeLogsTail(t *testing.T) {
	f := withBusybox()
	create(t, f, spec("web"))
	_ = f.SetLogs("web", "one\ntwo\nthree\n")

	for tail, want := range map[int]string{-1: "one\ntwo\nthree\n", 2: "two\nthree\n", 0: "", 10: "one\ntwo\nthree\n"} {
		if got, err := f.Logs(ctx, "web", tail); err != nil || got != want {
			t.Errorf("Logs(tail %d) = %q, %v; want %q", tail, got, err, want)
		}
	}
}

func TestFakeLookupByNameAndPrefix(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))

	for _, ref := range []string{id, "web", "/web", id[:12]} {
		if d, err := f.InspectContainer(ctx, ref); err != nil || d.ID != id {
			t.Errorf("InspectContainer(%q) = %s, %v", ref, d.ID, err)
		}
	}
}

func TestFakeUniqueNamesUnderConcurrency(t *testing.T) {
	f := withBusybox()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			_, err := f.CreateContainer(ctx, spec("web"))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)

	created, conflicts := 0, 0
	for err := range errs {
		switch {
		case err == nil:
			created++
		case engine.IsConflict(err):
			conflicts++
		default:
			t.Errorf("unexpected error %v", err)
		}
	}
	if created != 1 || conflicts != 19 || len(f.Containers()) != 1 {
		t.Errorf("created %d, conflicts %d, containers %d; want 1, 19, 1", created, conflicts, len(f.Containers()))
	}
}
