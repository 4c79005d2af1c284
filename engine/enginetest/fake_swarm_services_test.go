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

func TestFakeServiceScheduling(t *testing.T) {
	two := uint64(2)
	tests := []struct {
		name  string
		fake  *Fake
		spec  swarm.ServiceSpec
		tasks []string
	}{
		{"no mode: one replica", newSwarmFake(), svc("web"), []string{"1 node-1 running/running V=1"}},
		{"replicated over the ready nodes in turn", newSwarmFake().WithNodes("a", "b"), svc("web", replicas(3)), []string{
			"3 node-1 running/running V=1", "2 node-2 running/running V=1", "1 node-1 running/running V=1"}},
		{"no replicas", newSwarmFake(), svc("web", replicas(0)), nil},
		{"global: one per ready node", newSwarmFake().WithNodes("a", "b", "c").WithNodeState("b", swarm.NodeStateDown),
			svc("web", func(s *swarm.ServiceSpec) { s.Mode.Global = &swarm.GlobalService{} }), []string{
				"0 node-3 running/running V=1", "0 node-1 running/running V=1"}},
		{"replicated job: its completions, complete", newSwarmFake(),
			svc("migrate", func(s *swarm.ServiceSpec) { s.Mode.ReplicatedJob = &swarm.ReplicatedJob{TotalCompletions: &two} }), []string{
				"2 node-1 complete/complete V=1", "1 node-1 complete/complete V=1"}},
		{"global job: one per node, complete", newSwarmFake().WithNodes("a", "b"),
			svc("prune", func(s *swarm.ServiceSpec) { s.Mode.GlobalJob = &swarm.GlobalJob{} }), []string{
				"0 node-2 complete/complete V=1", "0 node-1 complete/complete V=1"}},
		{"no ready node: pending", newSwarmFake().WithNodeState("node-1", swarm.NodeStateDown), svc("web"), []string{
			"1  running/pending V=1"}},
		{"scripted: starting", newSwarmFake().ScriptTasks("web", func(swarm.ServiceSpec, int) swarm.TaskStatus {
			return swarm.TaskStatus{State: swarm.TaskStateStarting}
		}), svc("web"), []string{"1 node-1 running/starting V=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := createService(t, tt.fake, tt.spec)

			tasks, err := tt.fake.ListTasks(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if got := taskLines(tasks); !reflect.DeepEqual(got, tt.tasks) {
				t.Errorf("tasks =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tt.tasks, "\n"))
			}
			for _, task := range tasks {
				if task.ServiceID != id || task.Spec.ContainerSpec == nil || task.CreatedAt.IsZero() || task.Status.Timestamp.IsZero() || task.Status.Message == "" {
					t.Errorf("task %s lacks what the engine sets: %+v", task.ID, task)
				}
				if st := task.Status.State; (st == swarm.TaskStateRunning || st == swarm.TaskStateComplete) &&
					(task.Status.ContainerStatus == nil || len(task.Status.ContainerStatus.ContainerID) != 64) {
					t.Errorf("task %s %s has no container: %+v", task.ID, st, task.Status.ContainerStatus)
				}
			}
		})
	}
}

// The spec comes back as the manager stores it, not as it was sent.
func TestFakeServiceStoredSpec(t *testing.T) {
	f := newSwarmFake()
	netID, err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "demo_front", Driver: "overlay"})
	if err != nil {
		t.Fatal(err)
	}
	spec := svc("web", func(s *swarm.ServiceSpec) {
		s.Labels = nil
		s.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: "demo_front", Aliases: []string{"web"}}}
	})
	id := createService(t, f, spec)

	got, err := f.InspectService(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	one := uint64(1)
	want := swarm.ServiceSpec{
		Annotations: swarm.Annotations{Name: "web", Labels: map[string]string{}},
		TaskTemplate: swarm.TaskSpec{
			ContainerSpec: &swarm.ContainerSpec{Image: "busybox:latest", Env: []string{"V=1"}, Isolation: "default"},
			Networks:      []swarm.NetworkAttachmentConfig{{Target: netID, Aliases: []string{"web"}}},
			Runtime:       swarm.RuntimeContainer,
		},
		Mode: swarm.ServiceMode{Replicated: &swarm.ReplicatedService{Replicas: &one}},
	}
	if !reflect.DeepEqual(got.Spec, want) {
		t.Errorf("stored spec =\n%+v\nwant\n%+v", got.Spec, want)
	}
	if got.ID != id || got.Version.Index == 0 || got.PreviousSpec != nil || got.UpdateStatus != nil || got.CreatedAt.IsZero() {
		t.Errorf("new service = %+v", got)
	}
	if spec.Labels != nil || spec.TaskTemplate.Networks[0].Target != "demo_front" {
		t.Error("the create changed the caller's spec")
	}
	if byPrefix, err := f.InspectService(ctx, id[:6]); err != nil || byPrefix.ID != id {
		t.Errorf("InspectService by id prefix = %v, %v", byPrefix.ID, err)
	}

	got.Spec.Labels["changed"] = "yes"
	again, _ := f.InspectService(ctx, id)
	if len(again.Spec.Labels) != 0 {
		t.Error("changing a result changed the fake")
	}
}

func TestFakeServiceErrors(t *testing.T) {
	setup := func(t *testing.T) (*Fake, swarm.Service) {
		f := newSwarmFake()
		if _, err := f.CreateNetwork(ctx, engine.NetworkSpec{Name: "local_net"}); err != nil {
			t.Fatal(err)
		}
		cfg, err := f.CreateConfig(ctx, swarm.ConfigSpec{Annotations: swarm.Annotations{Name: "cfg"}, Data: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		createService(t, f, svc("web", func(s *swarm.ServiceSpec) {
			s.TaskTemplate.ContainerSpec.Configs = []*swarm.ConfigReference{{ConfigID: cfg, ConfigName: "cfg"}}
		}))
		web, err := f.InspectService(ctx, "web")
		if err != nil {
			t.Fatal(err)
		}
		return f, web
	}
	create := func(spec swarm.ServiceSpec) func(*Fake, swarm.Service) error {
		return func(f *Fake, _ swarm.Service) error {
			_, _, err := f.CreateService(ctx, spec, engine.RegistryAuth{})
			return err
		}
	}
	update := func(stale bool, mods ...func(*swarm.ServiceSpec)) func(*Fake, swarm.Service) error {
		return func(f *Fake, web swarm.Service) error {
			spec := web.Spec
			for _, m := range mods {
				m(&spec)
			}
			version := web.Version.Index
			if stale {
				if _, err := f.UpdateService(ctx, web.ID, version, spec, engine.RegistryAuth{}); err != nil {
					return err
				}
			}
			_, err := f.UpdateService(ctx, web.ID, version, spec, engine.RegistryAuth{})
			return err
		}
	}
	tests := []struct {
		name string
		call func(*Fake, swarm.Service) error
		is   error // the class errors.Is finds
		want string
	}{
		{"a taken name", create(svc("web")), engine.ErrConflict, "creating service web: name conflicts with an existing object"},
		{"an unknown config", create(svc("x", func(s *swarm.ServiceSpec) {
			s.TaskTemplate.ContainerSpec.Configs = []*swarm.ConfigReference{{ConfigID: "nope", ConfigName: "nope"}}
		})), engine.ErrInvalidArgument, "config not found: nope"},
		{"a secret by the wrong name", create(svc("x", func(s *swarm.ServiceSpec) {
			s.TaskTemplate.ContainerSpec.Secrets = []*swarm.SecretReference{{SecretID: "nope", SecretName: "wrong"}}
		})), engine.ErrInvalidArgument, "secret not found: wrong"},
		{"an unknown network: a 500 on the engine", create(svc("x", func(s *swarm.ServiceSpec) {
			s.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: "nope"}}
		})), engine.ErrInternal, "network nope not found"},
		{"a local network", create(svc("x", func(s *swarm.ServiceSpec) {
			s.TaskTemplate.Networks = []swarm.NetworkAttachmentConfig{{Target: "local_net"}}
		})), engine.ErrForbidden, "not scoped to the swarm"},
		{"an update at a stale version", update(true, env("V=2")), engine.ErrInternal, "update out of sequence"},
		{"a rename", update(false, func(s *swarm.ServiceSpec) { s.Name = "web2" }), engine.ErrNotImplemented, "renaming services is not supported"},
		{"a mode change", update(false, func(s *swarm.ServiceSpec) { s.Mode = swarm.ServiceMode{Global: &swarm.GlobalService{}} }),
			engine.ErrNotImplemented, "mode change is not allowed"},
		{"inspecting a missing service", func(f *Fake, _ swarm.Service) error { _, err := f.InspectService(ctx, "nope"); return err },
			engine.ErrNotFound, "inspecting service nope: service nope not found"},
		{"updating a missing service", func(f *Fake, _ swarm.Service) error {
			_, err := f.UpdateService(ctx, "nope", 1, svc("nope"), engine.RegistryAuth{})
			return err
		}, engine.ErrNotFound, "updating service nope (at version 1): service nope not found"},
		{"removing a missing service", func(f *Fake, _ swarm.Service) error { return f.RemoveService(ctx, "nope") },
			engine.ErrNotFound, "removing service nope"},
		{"the tasks of a missing service", func(f *Fake, _ swarm.Service) error { _, err := f.ListTasks(ctx, "nope"); return err },
			engine.ErrNotFound, "listing the tasks of service nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, web := setup(t)
			before := f.Services()

			err := tt.call(f, web)
			if !errors.Is(err, tt.is) {
				t.Errorf("err = %v, want it of class %v", err, tt.is)
			}
			if !strings.Contains(fmt.Sprint(err), tt.want) {
				t.Errorf("err = %v, want it to say %q", err, tt.want)
			}
			if engine.IsOutOfSequence(err) != strings.Contains(tt.want, "out of sequence") || tt.is != engine.ErrConflict && engine.IsConflict(err) {
				t.Errorf("IsOutOfSequence %v, IsConflict %v for %v", engine.IsOutOfSequence(err), engine.IsConflict(err), err)
			}
			if after := f.Services(); len(after) != len(before) {
				t.Errorf("a refused call changed the services: %d, then %d", len(before), len(after))
			}
		})
	}
}

// An update replaces tasks only when the task template changed, and is
// then rolled out at once; what the new tasks do decides how it ends.
func TestFakeServiceUpdate(t *testing.T) {
	failV2 := func(spec swarm.ServiceSpec, _ int) swarm.TaskStatus {
		if spec.TaskTemplate.ContainerSpec.Env[0] == "V=2" {
			return TaskFailed(1)
		}
		return swarm.TaskStatus{}
	}
	failAll := func(swarm.ServiceSpec, int) swarm.TaskStatus { return TaskFailed(2) }
	tests := []struct {
		name     string
		first    swarm.ServiceSpec
		script   TaskScript // from the update on
		next     swarm.ServiceSpec
		status   string // UpdateStatus: "state: message", "" for none
		env      string // of the spec now
		previous bool   // whether PreviousSpec is kept
		tasks    []string
	}{
		{"a new template: replaced", svc("web"), nil, svc("web", env("V=2")),
			"completed: update completed", "V=2", true, []string{
				"1 node-1 running/running V=2", "1 node-1 shutdown/shutdown V=1"}},
		{"labels only: tasks kept, no update status", svc("web"), nil, svc("web", func(s *swarm.ServiceSpec) { s.Labels["x"] = "y" }),
			"", "V=1", true, []string{"1 node-1 running/running V=1"}},
		{"scaled up: one more task", svc("web"), nil, svc("web", replicas(2)),
			"", "V=1", true, []string{"2 node-1 running/running V=1", "1 node-1 running/running V=1"}},
		{"scaled down: the highest slot stops", svc("web", replicas(2)), nil, svc("web", replicas(1)),
			"", "V=1", true, []string{"2 node-1 shutdown/shutdown V=1", "1 node-1 running/running V=1"}},
		{"failing, rollback: the previous spec back, running anew", svc("web"), failV2, svc("web", env("V=2"), onFailure(swarm.UpdateFailureActionRollback)),
			"rollback_completed: rollback completed", "V=1", false, []string{
				"1 node-1 running/running V=1", "1 node-1 shutdown/failed V=2", "1 node-1 shutdown/shutdown V=1"}},
		{"failing, pause", svc("web"), failV2, svc("web", env("V=2"), onFailure(swarm.UpdateFailureActionPause)),
			"paused: update paused due to failure or early termination of task ", "V=2", true, []string{
				"1 node-1 running/failed V=2", "1 node-1 shutdown/shutdown V=1"}},
		{"failing, no update config: pause, the engine's default", svc("web"), failV2, svc("web", env("V=2")),
			"paused: update paused due to failure or early termination of task ", "V=2", true, []string{
				"1 node-1 running/failed V=2", "1 node-1 shutdown/shutdown V=1"}},
		{"failing, continue", svc("web"), failV2, svc("web", env("V=2"), onFailure(swarm.UpdateFailureActionContinue)),
			"completed: update completed", "V=2", true, []string{
				"1 node-1 running/failed V=2", "1 node-1 shutdown/shutdown V=1"}},
		{"the rollback failing too", svc("web"), failAll, svc("web", env("V=2"), onFailure(swarm.UpdateFailureActionRollback)),
			"rollback_paused: rollback paused due to failure or early termination of task ", "V=1", false, []string{
				"1 node-1 running/failed V=1", "1 node-1 shutdown/failed V=2", "1 node-1 shutdown/shutdown V=1"}},
		{"new tasks still starting: under way", svc("web"), func(swarm.ServiceSpec, int) swarm.TaskStatus {
			return swarm.TaskStatus{State: swarm.TaskStateStarting}
		}, svc("web", env("V=2")), "updating: update in progress", "V=2", true, []string{
			"1 node-1 running/starting V=2", "1 node-1 shutdown/shutdown V=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSwarmFake()
			id := createService(t, f, tt.first)
			before, _ := f.InspectService(ctx, id)
			f.ScriptTasks("web", tt.script)

			updateService(t, f, "web", tt.next)

			got, err := f.InspectService(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			status := ""
			if u := got.UpdateStatus; u != nil {
				status = string(u.State) + ": " + u.Message
			}
			if !strings.HasPrefix(status, tt.status) || (tt.status == "") != (status == "") {
				t.Errorf("update status %q, want %q", status, tt.status)
			}
			if e := got.Spec.TaskTemplate.ContainerSpec.Env[0]; e != tt.env {
				t.Errorf("spec env %s, want %s", e, tt.env)
			}
			if (got.PreviousSpec != nil) != tt.previous {
				t.Errorf("PreviousSpec %+v, want kept %v", got.PreviousSpec, tt.previous)
			} else if tt.previous && !reflect.DeepEqual(*got.PreviousSpec, before.Spec) {
				t.Errorf("PreviousSpec = %+v, want the spec before: %+v", *got.PreviousSpec, before.Spec)
			}
			if got.Version.Index <= before.Version.Index {
				t.Errorf("version %d after %d: an update must raise it", got.Version.Index, before.Version.Index)
			}
			if lines := taskLines(f.Tasks("web")); !reflect.DeepEqual(lines, tt.tasks) {
				t.Errorf("tasks =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tt.tasks, "\n"))
			}
		})
	}
}

// The failure message names the task that failed, as the engine's does.
func TestFakeServiceUpdateNamesFailedTask(t *testing.T) {
	f := newSwarmFake()
	createService(t, f, svc("web"))
	f.ScriptTasks("web", func(swarm.ServiceSpec, int) swarm.TaskStatus { return TaskFailed(1) })
	updateService(t, f, "web", svc("web", env("V=2")))

	failed := f.Tasks("web")[0]
	got, _ := f.InspectService(ctx, "web")
	if failed.Status.Err != "task: non-zero exit (1)" || failed.Status.ContainerStatus.ExitCode != 1 {
		t.Errorf("failed task status = %+v", failed.Status)
	}
	if want := "update paused due to failure or early termination of task " + failed.ID; got.UpdateStatus.Message != want {
		t.Errorf("message %q, want %q", got.UpdateStatus.Message, want)
	}
}

// A task moved on by the test settles the update that waits on it.
func TestFakeSetTaskStatusSettlesUpdate(t *testing.T) {
	tests := []struct {
		name   string
		status swarm.TaskStatus
		want   swarm.UpdateState
		env    string
	}{
		{"running: completed", swarm.TaskStatus{State: swarm.TaskStateRunning}, swarm.UpdateStateCompleted, "V=2"},
		{"failed: rolled back", TaskFailed(3), swarm.UpdateStateRollbackCompleted, "V=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSwarmFake()
			createService(t, f, svc("web"))
			f.ScriptTasks("web", func(spec swarm.ServiceSpec, _ int) swarm.TaskStatus {
				if spec.TaskTemplate.ContainerSpec.Env[0] == "V=2" {
					return swarm.TaskStatus{State: swarm.TaskStateStarting}
				}
				return swarm.TaskStatus{}
			})
			updateService(t, f, "web", svc("web", env("V=2"), onFailure(swarm.UpdateFailureActionRollback)))
			starting := f.Tasks("web")[0]

			if err := f.SetTaskStatus(starting.ID, tt.status); err != nil {
				t.Fatal(err)
			}

			got, _ := f.InspectService(ctx, "web")
			if got.UpdateStatus == nil || got.UpdateStatus.State != tt.want || got.UpdateStatus.CompletedAt == nil {
				t.Errorf("update status %+v, want %s, completed", got.UpdateStatus, tt.want)
			}
			if e := got.Spec.TaskTemplate.ContainerSpec.Env[0]; e != tt.env {
				t.Errorf("spec env %s, want %s", e, tt.env)
			}
		})
	}
	if err := New().SetTaskStatus("nope", swarm.TaskStatus{}); !engine.IsNotFound(err) {
		t.Errorf("SetTaskStatus of a missing task = %v, want not found", err)
	}
}

func TestFakeServiceVersions(t *testing.T) {
	f := newSwarmFake()
	createService(t, f, svc("a"))
	a1, _ := f.InspectService(ctx, "a")
	createService(t, f, svc("b"))
	b1, _ := f.InspectService(ctx, "b")
	updateService(t, f, "a", svc("a", replicas(2)))
	a2, _ := f.InspectService(ctx, "a")

	if !(a1.Version.Index < b1.Version.Index && b1.Version.Index < a2.Version.Index) {
		t.Errorf("versions a %d, b %d, a again %d: want one index rising over every write", a1.Version.Index, b1.Version.Index, a2.Version.Index)
	}
	if !a2.UpdatedAt.After(a1.UpdatedAt) || !a2.CreatedAt.Equal(a1.CreatedAt) {
		t.Errorf("times after the update: created %v then %v, updated %v then %v", a1.CreatedAt, a2.CreatedAt, a1.UpdatedAt, a2.UpdatedAt)
	}
}

func TestFakeListServices(t *testing.T) {
	f := newSwarmFake()
	createService(t, f, svc("web", replicas(2)))
	createService(t, f, svc("db", func(s *swarm.ServiceSpec) { s.Labels = map[string]string{"other": "x"} }))
	createService(t, f, svc("api"))
	f.ScriptTasks("worker", func(swarm.ServiceSpec, int) swarm.TaskStatus { return swarm.TaskStatus{State: swarm.TaskStateStarting} })
	createService(t, f, svc("worker"))

	got, err := f.ListServices(ctx, engine.Filter{Labels: []string{"com.docker.stack.namespace=demo"}})
	if err != nil {
		t.Fatal(err)
	}
	if n := names(got, func(s swarm.Service) string { return s.Spec.Name }); !reflect.DeepEqual(n, []string{"api", "web", "worker"}) {
		t.Errorf("services = %v, want api, web and worker, by name", n)
	}
	counts := map[string]swarm.ServiceStatus{}
	for _, s := range got {
		if s.ServiceStatus == nil {
			t.Fatalf("%s: no ServiceStatus at API 1.41", s.Spec.Name)
		}
		counts[s.Spec.Name] = *s.ServiceStatus
	}
	want := map[string]swarm.ServiceStatus{"api": {RunningTasks: 1, DesiredTasks: 1}, "web": {RunningTasks: 2, DesiredTasks: 2}, "worker": {DesiredTasks: 1}}
	if !reflect.DeepEqual(counts, want) {
		t.Errorf("counts = %+v, want %+v", counts, want)
	}

	old := f.WithVersion(engine.Version{NegotiatedAPIVersion: "1.40"})
	if got, _ := old.ListServices(ctx, engine.Filter{}); got[0].ServiceStatus != nil {
		t.Errorf("ServiceStatus at API 1.40 = %+v, want none: the engine cannot count then", got[0].ServiceStatus)
	}
}

func TestFakeListTasksNewestFirst(t *testing.T) {
	f := newSwarmFake()
	createService(t, f, svc("web"))
	for _, v := range []string{"V=2", "V=3"} {
		updateService(t, f, "web", svc("web", env(v)))
	}
	createService(t, f, svc("other"))

	tasks, err := f.ListTasks(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"1 node-1 running/running V=3", "1 node-1 shutdown/shutdown V=2", "1 node-1 shutdown/shutdown V=1"}
	if got := taskLines(tasks); !reflect.DeepEqual(got, want) {
		t.Errorf("tasks = %v, want %v", got, want)
	}
}

func TestFakeRemoveService(t *testing.T) {
	f := newSwarmFake()
	id := createService(t, f, svc("web"))
	createService(t, f, svc("db"))

	if err := f.RemoveService(ctx, "web"); err != nil {
		t.Fatal(err)
	}
	if got := names(f.Services(), func(s swarm.Service) string { return s.Spec.Name }); !reflect.DeepEqual(got, []string{"db"}) {
		t.Errorf("services = %v, want db", got)
	}
	if _, err := f.ListTasks(ctx, id); !engine.IsNotFound(err) {
		t.Errorf("tasks of the removed service: %v, want not found", err)
	}
	if len(f.Tasks("db")) != 1 {
		t.Error("removing web took db's task")
	}
	createService(t, f, svc("web")) // the name is free again
}

func TestFakeServiceRegistryAuth(t *testing.T) {
	f := newSwarmFake()
	login := engine.RegistryAuth{ServerAddress: "reg.example", Username: "u", Password: "p"}
	if _, _, err := f.CreateService(ctx, svc("web"), login); err != nil {
		t.Fatal(err)
	}
	updateService(t, f, "web", svc("web", env("V=2"))) // no login: the one given stays

	if got, ok := f.ServiceRegistryAuth("web"); !ok || got != login {
		t.Errorf("auth = %v, %v; want the login given at create", got, ok)
	}
	createService(t, f, svc("anon"))
	if _, ok := f.ServiceRegistryAuth("anon"); ok {
		t.Error("a service created without a login has one")
	}
}
