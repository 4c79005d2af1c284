package enginetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/swarm"
)

func TestFakeConfigsAndSecrets(t *testing.T) {
	f := newSwarmFake()
	demo := map[string]string{"com.docker.stack.namespace": "demo"}
	for _, name := range []string{"demo_b", "demo_a"} {
		if _, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: name, Labels: demo}, Data: []byte(name + " body")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: name, Labels: demo}, Data: []byte("s3cret")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "other"}, Data: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	byStack := engine.Filter{Labels: []string{"com.docker.stack.namespace=demo"}}

	configs, err := f.ListConfigs(ctx, byStack)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(configs, func(c swarm.Config) string { return c.Spec.Name + "=" + string(c.Spec.Data) }); !reflect.DeepEqual(got, []string{"demo_a=demo_a body", "demo_b=demo_b body"}) {
		t.Errorf("configs = %v, want demo's two by name, with their data", got)
	}
	secrets, err := f.ListSecrets(ctx, byStack)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(secrets, func(s swarm.Secret) string { return s.Spec.Name + "=" + string(s.Spec.Data) }); !reflect.DeepEqual(got, []string{"demo_a=", "demo_b="}) {
		t.Errorf("secrets = %v, want demo's two by name, without data", got)
	}
	for _, c := range configs {
		if c.ID == "" || c.Version.Index == 0 || c.CreatedAt.IsZero() || c.Spec.Labels["com.docker.stack.namespace"] != "demo" {
			t.Errorf("config %+v lacks what the engine sets", c)
		}
	}
	configs[0].Spec.Data[0] = 'X'
	if again, _ := f.ListConfigs(ctx, byStack); string(again[0].Spec.Data) != "demo_a body" {
		t.Error("changing a result changed the fake")
	}
}

func TestFakeSwarmObjectErrors(t *testing.T) {
	setup := func(t *testing.T) *Fake {
		f := newSwarmFake()
		cfg, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "cfg"}, Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		sec, err := f.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: "sec"}, Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "spare"}, Data: []byte("x")}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "front", Driver: "overlay", Attachable: true}); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"web", "api"} {
			createService(t, f, svc(name, func(s *swarm.ServiceSpec) {
				s.TaskTemplate.ContainerSpec.Configs = []*swarm.ConfigReference{{ConfigID: cfg, ConfigName: "cfg"}}
				s.TaskTemplate.ContainerSpec.Secrets = []*swarm.SecretReference{{SecretID: sec, SecretName: "sec"}}
				s.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: "front"}}
			}))
		}
		return f
	}
	tests := []struct {
		name               string
		call               func(f *Fake) error
		is                 error
		objectInUse, inUse bool
		want               string
	}{
		{"a config name taken", func(f *Fake) error {
			_, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "cfg"}, Data: []byte("y")})
			return err
		}, engine.ErrConflict, false, false, "creating config cfg: config cfg already exists"},
		{"a secret name taken", func(f *Fake) error {
			_, err := f.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: "sec"}, Data: []byte("y")})
			return err
		}, engine.ErrConflict, false, false, "creating secret sec: secret sec already exists"},
		{"a config without data", func(f *Fake) error {
			_, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "empty"}})
			return err
		}, engine.ErrInvalidArgument, false, false, "config data must be larger than 0"},
		{"a secret too large", func(f *Fake) error {
			_, err := f.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: "big"}, Data: make([]byte, maxSecretData)})
			return err
		}, engine.ErrInvalidArgument, false, false, "secret data must be larger than 0 and less than 512000 bytes"},
		{"removing a config in use", func(f *Fake) error { return f.RemoveConfig(ctx, "cfg") },
			engine.ErrInvalidArgument, true, false, "removing config cfg: config 'cfg' is in use by the following services: api, web"},
		{"removing a secret in use", func(f *Fake) error { return f.RemoveSecret(ctx, "sec") },
			engine.ErrInvalidArgument, true, false, "removing secret sec: secret 'sec' is in use by the following services: api, web"},
		{"removing a secret one service uses", func(f *Fake) error {
			if err := f.RemoveService(ctx, "api"); err != nil {
				return err
			}
			return f.RemoveSecret(ctx, "sec")
		}, engine.ErrInvalidArgument, true, false, "secret 'sec' is in use by the following service: web"},
		{"removing a network a service uses", func(f *Fake) error { return f.RemoveNetwork(ctx, "front") },
			engine.ErrInvalidArgument, true, true, "is in use by service"},
		{"removing a missing config", func(f *Fake) error { return f.RemoveConfig(ctx, "nope") },
			engine.ErrNotFound, false, false, "removing config nope: config nope not found"},
		{"removing a missing secret", func(f *Fake) error { return f.RemoveSecret(ctx, "nope") },
			engine.ErrNotFound, false, false, "removing secret nope: secret nope not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(setup(t))

			if !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it of class %v", err, tt.is)
			}
			if engine.IsObjectInUse(err) != tt.objectInUse || engine.IsInUse(err) != tt.inUse {
				t.Errorf("IsObjectInUse %v, IsInUse %v; want %v, %v (%v)", engine.IsObjectInUse(err), engine.IsInUse(err), tt.objectInUse, tt.inUse, err)
			}
			if tt.is != engine.ErrConflict && engine.IsConflict(err) {
				t.Errorf("IsConflict holds for %v", err)
			}
			if !strings.Contains(fmt.Sprint(err), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
		})
	}
}

// Once no service's spec refers to them, objects and networks go.
func TestFakeSwarmObjectsFreedByTheirServices(t *testing.T) {
	f := newSwarmFake()
	cfg, _ := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "cfg"}, Data: []byte("x")})
	sec, _ := f.CreateSecret(ctx, swarm.SecretSpec{Annotations: swarm.Annotations{Name: "sec"}, Data: []byte("x")})
	netID, _ := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "front", Driver: "overlay"})
	uses := func(s *swarm.ServiceSpec) {
		s.TaskTemplate.ContainerSpec.Configs = []*swarm.ConfigReference{{ConfigID: cfg, ConfigName: "cfg"}}
		s.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: netID}}
	}
	createService(t, f, svc("web", uses))
	createService(t, f, svc("db", func(s *swarm.ServiceSpec) {
		s.TaskTemplate.ContainerSpec.Secrets = []*swarm.SecretReference{{SecretID: sec, SecretName: "sec"}}
	}))

	updateService(t, f, "web", svc("web")) // drops the config and the network
	if err := f.RemoveConfig(ctx, cfg); err != nil {
		t.Errorf("the config no spec uses: %v", err)
	}
	if err := f.RemoveNetwork(ctx, "front"); err != nil {
		t.Errorf("the network no spec uses: %v", err)
	}
	if err := f.RemoveService(ctx, "db"); err != nil {
		t.Fatal(err)
	}
	if err := f.RemoveSecret(ctx, sec[:5]); err != nil {
		t.Errorf("the secret of a removed service, by id prefix: %v", err)
	}
}

func TestFakeOverlayNetworkScope(t *testing.T) {
	f := New()
	for _, spec := range []engine.NetworkSpec{{Name: "over", Driver: "overlay"}, {Name: "local"}} {
		if _, err := f.CreateNetwork(ctx, spec); err != nil {
			t.Fatal(err)
		}
	}
	if got := names(f.Networks(), func(n engine.Network) string { return n.Name + ":" + n.Scope }); !reflect.DeepEqual(got, []string{"local:local", "over:swarm"}) {
		t.Errorf("networks = %v, want the overlay one swarm-scoped", got)
	}
}

func TestFakeImageDigest(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	f := New().
		WithImageDigest("docker.io/library/busybox:1.36", digest).
		WithImageDigest("reg.example:5000/team/app:v2", digest).
		WithRegistryImage("reg.example:5000/team/pushed:1", "sha256:localid").
		WithRegistryLogin("private.example", "u", "p").
		WithImageDigest("private.example/app:1", digest)
	tests := []struct {
		ref      string
		auth     engine.RegistryAuth
		want     string // "" for an error
		notFound bool
	}{
		{"busybox:1.36", engine.RegistryAuth{}, "busybox@" + digest, false},
		{"docker.io/library/busybox:1.36", engine.RegistryAuth{}, "busybox@" + digest, false},
		{"busybox@" + digest, engine.RegistryAuth{}, "busybox@" + digest, false},
		{"reg.example:5000/team/app:v2", engine.RegistryAuth{}, "reg.example:5000/team/app@" + digest, false},
		{"reg.example:5000/team/pushed:1", engine.RegistryAuth{}, "reg.example:5000/team/pushed@sha256:", false},
		{"private.example/app:1", engine.RegistryAuth{Username: "u", Password: "p"}, "private.example/app@" + digest, false},
		{"private.example/app:1", engine.RegistryAuth{}, "", false},
		{"busybox:latest", engine.RegistryAuth{}, "", true},
		{"busybox:1.37", engine.RegistryAuth{}, "", true},
		{"Not A Ref", engine.RegistryAuth{}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			got, err := f.ImageDigest(ctx, tt.ref, tt.auth)
			if tt.want == "" {
				if err == nil || engine.IsNotFound(err) != tt.notFound {
					t.Errorf("ImageDigest = %q, %v; want an error, not found %v", got, err, tt.notFound)
				}
				return
			}
			if err != nil || !strings.HasPrefix(got, tt.want) || len(got) != len(strings.Split(got, "@")[0])+len("@")+len(digest) {
				t.Errorf("ImageDigest = %q, %v; want %s", got, err, tt.want)
			}
		})
	}
	if _, err := f.ImageDigest(ctx, "private.example/app:1", engine.RegistryAuth{}); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("without the login: %v, want ErrUnauthorized", err)
	}
}
