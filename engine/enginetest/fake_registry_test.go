package enginetest

import (
	"errors"
	"reflect"
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestFakeRegistryRoundTrip: a pushed image is what a later pull of the
// same reference gives, even once the engine forgot it.
func TestFakeRegistryRoundTrip(t *testing.T) {
	f := New().WithImage("reg.example:5000/app:1", "sha256:built")
	var pushed []engine.PushProgress
	if err := f.PushImage(ctx, "reg.example:5000/app:1", engine.RegistryAuth{}, func(p engine.PushProgress) { pushed = append(pushed, p) }); err != nil {
		t.Fatalf("PushImage: %v", err)
	}
	if len(pushed) == 0 {
		t.Error("PushImage reported no progress")
	}
	if id, ok := f.RegistryImage("reg.example:5000/app:1"); !ok || id != "sha256:built" {
		t.Errorf("registry holds %q, %v", id, ok)
	}
	if err := f.RemoveImage(ctx, "reg.example:5000/app:1"); err != nil {
		t.Fatal(err)
	}
	if err := f.PullImage(ctx, "reg.example:5000/app:1", engine.RegistryAuth{}, nil); err != nil {
		t.Fatalf("PullImage: %v", err)
	}
	if id, err := f.ImageID(ctx, "reg.example:5000/app:1"); err != nil || id != "sha256:built" {
		t.Errorf("pulled back %q, %v; want sha256:built", id, err)
	}
	if got := f.Pulls(); !reflect.DeepEqual(got, []string{"reg.example:5000/app:1"}) {
		t.Errorf("Pulls() = %v", got)
	}
}

func TestFakeRegistryLogin(t *testing.T) {
	f := New().WithRegistryLogin("reg.example:5000", "ann", "pw").WithImage("reg.example:5000/app", "sha256:a").
		WithRegistryImage("other.example/app", "sha256:o")
	tests := []struct {
		name, ref string
		auth      engine.RegistryAuth
		ok        bool
	}{
		{"right login", "reg.example:5000/app", engine.RegistryAuth{Username: "ann", Password: "pw"}, true},
		{"wrong password", "reg.example:5000/app", engine.RegistryAuth{Username: "ann", Password: "nope"}, false},
		{"anonymous", "reg.example:5000/app", engine.RegistryAuth{}, false},
		{"a host without a login takes anyone", "other.example/app", engine.RegistryAuth{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pullErr := f.PullImage(ctx, tt.ref, tt.auth, nil)
			pushErr := f.PushImage(ctx, tt.ref, tt.auth, nil)
			for what, err := range map[string]error{"pull": pullErr, "push": pushErr} {
				if tt.ok && err != nil || !tt.ok && !errors.Is(err, ErrUnauthorized) {
					t.Errorf("%s = %v, want ok %v", what, err, tt.ok)
				}
			}
		})
	}
	if err := f.PushImage(ctx, "reg.example:5000/missing", engine.RegistryAuth{Username: "ann", Password: "pw"}, nil); !engine.IsNotFound(err) {
		t.Errorf("push of an image the engine lacks = %v, want not found", err)
	}
	if got := registryHost("busybox"); got != "docker.io" {
		t.Errorf("registryHost(busybox) = %s", got)
	}
	if got := registryHost("localhost/app"); got != "localhost" {
		t.Errorf("registryHost(localhost/app) = %s", got)
	}
}
