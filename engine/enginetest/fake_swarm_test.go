package enginetest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/swarm"
)

// steppingClock starts at a fixed time and moves a second on at every
// reading, so each task is newer than the one before and the order of
// "newest first" is known.
func steppingClock() func() time.Time {
	var ticks atomic.Int64
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time { return start.Add(time.Duration(ticks.Add(1)) * time.Second) }
}

func newSwarmFake() *Fake { return New().WithClock(steppingClock()) }

// svc is a replicated service of one busybox task, its spec changed by mods.
func svc(name string, mods ...func(*swarm.ServiceSpec)) swarm.ServiceSpec {
	s := swarm.ServiceSpec{
		Annotations:  swarm.Annotations{Name: name, Labels: map[string]string{"com.docker.stack.namespace": "demo"}},
		TaskTemplate: swarm.TaskSpec{ContainerSpec: &swarm.ContainerSpec{Image: "busybox", Env: []string{"V=1"}}},
	}
	for _, m := range mods {
		m(&s)
	}
	return s
}

func replicas(n uint64) func(*swarm.ServiceSpec) {
	return func(s *swarm.ServiceSpec) {
		s.Mode = swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &n}}
	}
}

func env(v string) func(*swarm.ServiceSpec) {
	return func(s *swarm.ServiceSpec) { s.TaskTemplate.ContainerSpec.Env = []string{v} }
}

func onFailure(action swarm.FailureAction) func(*swarm.ServiceSpec) {
	return func(s *swarm.ServiceSpec) {
		s.UpdateConfig = &swarm.UpdateConfig{Parallelism: 1, FailureAction: action}
	}
}

func createService(t *testing.T, f *Fake, spec swarm.ServiceSpec) string {
	t.Helper()
	id, _, err := f.CreateService(ctx, spec, engine.RegistryAuth{})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// updateService updates a service to spec at its current version.
func updateService(t *testing.T, f *Fake, name string, spec swarm.ServiceSpec) {
	t.Helper()
	cur, err := f.InspectService(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.UpdateService(ctx, cur.ID, cur.Version.Index, spec, engine.RegistryAuth{}); err != nil {
		t.Fatal(err)
	}
}

// taskLines is one line per task, newest first: slot, node, desired and
// actual state, and the env its spec sets.
func taskLines(tasks []swarm.Task) []string {
	var out []string
	for _, t := range tasks {
		var envs []string
		if t.Spec.ContainerSpec != nil {
			envs = t.Spec.ContainerSpec.Env
		}
		out = append(out, fmt.Sprintf("%d %s %s/%s %s", t.Slot, t.NodeID, t.DesiredState, t.Status.State, strings.Join(envs, ",")))
	}
	return out
}

func TestFakeSwarmStatusAndNodes(t *testing.T) {
	tests := []struct {
		name      string
		fake      *Fake
		status    engine.SwarmStatus
		hostnames []string // ListNodes, in order; nil: it fails
	}{
		{"a single-node manager by default", New(),
			engine.SwarmStatus{NodeID: "node-1", LocalState: "active", ControlAvailable: true}, []string{"node-1"}},
		{"nodes replaced, listed by hostname", New().WithNodes("mgr", "b-worker", "a-worker"),
			engine.SwarmStatus{NodeID: "node-1", LocalState: "active", ControlAvailable: true}, []string{"a-worker", "b-worker", "mgr"}},
		{"outside a swarm", New().WithoutSwarm(), engine.SwarmStatus{LocalState: "inactive"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := tt.fake.SwarmStatus(ctx)
			if err != nil || st != tt.status {
				t.Errorf("SwarmStatus = %+v, %v; want %+v", st, err, tt.status)
			}
			nodes, err := tt.fake.ListNodes(ctx)
			if tt.hostnames == nil {
				if err == nil {
					t.Errorf("ListNodes = %v, want an error", nodes)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(nodes, func(n swarm.Node) string { return n.Description.Hostname }); !reflect.DeepEqual(got, tt.hostnames) {
				t.Errorf("hostnames = %v, want %v", got, tt.hostnames)
			}
		})
	}
	nodes, _ := New().WithNodes("mgr", "w").ListNodes(ctx)
	if nodes[0].Spec.Role != swarm.NodeRoleManager || nodes[0].ManagerStatus == nil || !nodes[0].ManagerStatus.Leader ||
		nodes[1].Spec.Role != swarm.NodeRoleWorker || nodes[1].Status.State != swarm.NodeStateReady {
		t.Errorf("want the first node the leading manager and the others ready workers: %+v", nodes)
	}
}

// Outside a swarm every manager call fails with the engine's 503, which
// neither IsNotFound nor IsConflict takes for theirs; only the registry
// is still asked.
func TestFakeOutsideSwarm(t *testing.T) {
	f := New().WithoutSwarm().WithImageDigest("busybox:1", "sha256:"+strings.Repeat("a", 64))
	calls := map[string]func() error{
		"ListNodes":         func() error { _, err := f.ListNodes(ctx); return err },
		"ListServices":      func() error { _, err := f.ListServices(ctx, engine.Filter{}); return err },
		"InspectService":    func() error { _, err := f.InspectService(ctx, "web"); return err },
		"CreateService":     func() error { _, _, err := f.CreateService(ctx, svc("web"), engine.RegistryAuth{}); return err },
		"UpdateService":     func() error { _, err := f.UpdateService(ctx, "web", 1, svc("web"), engine.RegistryAuth{}); return err },
		"RemoveService":     func() error { return f.RemoveService(ctx, "web") },
		"ListTasks":         func() error { _, err := f.ListTasks(ctx, "web"); return err },
		"TaskLogs":          func() error { _, err := f.TaskLogs(ctx, "t", 1); return err },
		"StreamServiceLogs": func() error { return f.StreamServiceLogs(ctx, "web", engine.LogOptions{}, nil, nil) },
		"ListConfigs":       func() error { _, err := f.ListConfigs(ctx, engine.Filter{}); return err },
		"ListSecrets":       func() error { _, err := f.ListSecrets(ctx, engine.Filter{}); return err },
		"CreateConfig":      func() error { _, err := f.CreateConfig(ctx, swarm.ConfigSpec{Data: []byte("x")}); return err },
		"CreateSecret":      func() error { _, err := f.CreateSecret(ctx, swarm.SecretSpec{Data: []byte("x")}); return err },
		"RemoveConfig":      func() error { return f.RemoveConfig(ctx, "c") },
		"RemoveSecret":      func() error { return f.RemoveSecret(ctx, "s") },
	}
	swarmType := reflect.TypeFor[engine.Swarm]()
	if len(calls) != swarmType.NumMethod()-2 {
		t.Errorf("%d calls tried, want every engine.Swarm method but SwarmStatus and ImageDigest (%d)", len(calls), swarmType.NumMethod()-2)
	}
	for method, call := range calls {
		t.Run(method, func(t *testing.T) {
			err := call()
			if !errors.Is(err, engine.ErrUnavailable) || engine.IsNotFound(err) || engine.IsConflict(err) {
				t.Errorf("err = %v, want the 503 only", err)
			}
			if !strings.Contains(fmt.Sprint(err), "not a swarm manager") {
				t.Errorf("err = %v, want it to say the node is no manager", err)
			}
		})
	}
	if got, err := f.ImageDigest(ctx, "busybox:1", engine.RegistryAuth{}); err != nil || !strings.HasPrefix(got, "busybox@sha256:aaaa") {
		t.Errorf("ImageDigest outside a swarm = %q, %v; want it answered", got, err)
	}
}

func TestFakeSwarmFailAndCalls(t *testing.T) {
	boom := errors.New("boom")
	f := New().Fail("CreateService", boom)

	if _, _, err := f.CreateService(ctx, svc("web"), engine.RegistryAuth{}); !errors.Is(err, boom) {
		t.Errorf("CreateService = %v, want boom", err)
	}
	if got := f.Services(); len(got) != 0 {
		t.Errorf("a failed create left %v", got)
	}
	f.Fail("CreateService", nil)
	createService(t, f, svc("web"))
	if _, err := f.ListTasks(ctx, "web"); err != nil {
		t.Error(err)
	}
	f.Tasks("web") // accessors are not calls
	f.Services()

	want := []string{"CreateService web", "CreateService web", "ListTasks web"}
	if got := names(f.Calls(), Call.String); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Fail of a method neither interface has did not panic")
		}
	}()
	f.Fail("CreateServices", boom)
}

func TestFakeSwarmIDs(t *testing.T) {
	f := New()
	a, b := createService(t, f, svc("a")), createService(t, f, svc("b"))
	task := f.Tasks("a")[0]
	for _, id := range []string{a, b, task.ID} {
		if len(id) != 25 || strings.Trim(id, "0123456789abcdefghijklmnopqrstuvwxyz") != "" {
			t.Errorf("id %q is not 25 base-36 digits, as swarm ids are", id)
		}
	}
	if a == b {
		t.Errorf("two services share id %s", a)
	}
	if got := New(); got.swarmID("service") != New().swarmID("service") {
		t.Error("ids differ between runs: failures would not reproduce")
	}
}
