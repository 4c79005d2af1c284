package stack

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/progress"
)

// events records what Apply emitted.
type events struct {
	mu  sync.Mutex
	all []progress.Event
}

func (e *events) Emit(ev progress.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) texts(name string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if ev.Name == name {
			out = append(out, ev.Text)
		}
	}
	return out
}

// deploy runs a whole `swarm up` against the fake: resolve, observe,
// plan, apply.
func deploy(t *testing.T, f *enginetest.Fake, p *types.Project, opts DeployOptions) (*Plan, *events, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	obs, err := Observe(ctx, f, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	salt, err := SecretSalt(obs)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Resolve(ctx, f, p, nil, salt)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanDeploy(p, obs, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	ev := &events{}
	return plan, ev, Apply(ctx, f, plan, ev, ApplyOptions{Poll: time.Millisecond})
}

func serviceNamed(t *testing.T, f *enginetest.Fake, name string) swarm.Service {
	t.Helper()
	for _, s := range f.Services() {
		if s.Spec.Name == name {
			return s
		}
	}
	t.Fatalf("no service %s", name)
	return swarm.Service{}
}

func TestApplyDeploysInDependencyOrder(t *testing.T) {
	f := enginetest.New()
	if _, ev, err := deploy(t, f, loadProject(t, shopYAML, nil), DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	} else if got := ev.texts("web"); !slices.Contains(got, "Running 1/1") {
		t.Errorf("web's events %q lack its converged count", got)
	}
	var order []string
	for _, c := range f.Calls("CreateService", "ListTasks") {
		order = append(order, c.String())
	}
	db, web := serviceNamed(t, f, "shop_db"), serviceNamed(t, f, "shop_web")
	// db's wait ends with its last read of db's tasks: web must come after.
	createWeb := slices.Index(order, "CreateService shop_web")
	waitDB := -1
	for i, c := range order {
		if c == "ListTasks "+db.ID {
			waitDB = i
		}
	}
	if createWeb < 0 || waitDB < 0 || createWeb < waitDB {
		t.Errorf("web was created before db's wait ended: %v", order)
	}
	cfgs := web.Spec.TaskTemplate.ContainerSpec.Configs
	if len(cfgs) != 1 || cfgs[0].ConfigID == "" || !strings.HasPrefix(cfgs[0].ConfigName, "shop_settings-") {
		t.Errorf("web's configs %+v: want the versioned config, by id", cfgs)
	}
}

func TestApplyUnchangedSendsNothing(t *testing.T) {
	f := enginetest.New()
	if _, _, err := deploy(t, f, loadProject(t, shopYAML, nil), DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	before := len(f.Calls("CreateService", "UpdateService", "CreateConfig", "CreateNetwork", "RemoveConfig"))
	plan, _, err := deploy(t, f, loadProject(t, shopYAML, nil), DeployOptions{Wait: true})
	if err != nil {
		t.Fatal(err)
	}
	if after := len(f.Calls("CreateService", "UpdateService", "CreateConfig", "CreateNetwork", "RemoveConfig")); after != before || plan.Changes() != 0 {
		t.Errorf("an unchanged deploy made %d writes; plan:\n%s", after-before, plan)
	}
}

func TestApplyRotatesConfig(t *testing.T) {
	f := enginetest.New()
	if _, _, err := deploy(t, f, loadProject(t, shopYAML, nil), DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := deploy(t, f, loadProject(t, shopYAML, []string{"MODE=two"}), DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	configs, err := f.ListConfigs(t.Context(), filterNS("shop"))
	if err != nil {
		t.Fatal(err)
	}
	want := VersionedName("shop_settings", []byte("mode=two"))
	if len(configs) != 1 || configs[0].Spec.Name != want {
		t.Errorf("configs %+v, want only %s", configs, want)
	}
	ref := serviceNamed(t, f, "shop_web").Spec.TaskTemplate.ContainerSpec.Configs[0]
	if ref.ConfigName != want || ref.ConfigID != configs[0].ID {
		t.Errorf("web uses %+v, want %s (%s)", ref, want, configs[0].ID)
	}
}

func TestApplyReportsRollback(t *testing.T) {
	const yaml = `
name: shop
services:
  web:
    image: busybox
    environment: {COLOUR: "${COLOUR:-blue}"}
    deploy:
      update_config: {failure_action: rollback}
`
	f := enginetest.New()
	if _, _, err := deploy(t, f, loadProject(t, yaml, nil), DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	f.ScriptTasks("shop_web", func(spec swarm.ServiceSpec, _ int) swarm.TaskStatus {
		if slices.Contains(spec.TaskTemplate.ContainerSpec.Env, "COLOUR=red") {
			return enginetest.TaskFailed(3)
		}
		return swarm.TaskStatus{State: swarm.TaskStateRunning}
	})
	f.SetServiceLogs("shop_web", "starting\nred is not a colour\n")
	_, _, err := deploy(t, f, loadProject(t, yaml, []string{"COLOUR=red"}), DeployOptions{Wait: true})
	var ce *ConvergeError
	if !errors.As(err, &ce) {
		t.Fatalf("got %v, want a ConvergeError", err)
	}
	for _, want := range []string{"Service web: ", "rolled it back", "non-zero exit (3)", "on node node-1", "| red is not a colour"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q:\n%v", want, err)
		}
	}
}

func TestApplyGivesUpOnACrashLoop(t *testing.T) {
	f := enginetest.New()
	f.ScriptTasks("shop_db", func(swarm.ServiceSpec, int) swarm.TaskStatus { return enginetest.TaskFailed(1) })
	// The fake restarts no task: restart condition none makes one failure
	// final, as the swarm's own retries would in the end.
	yaml := strings.Replace(shopYAML, "    healthcheck:", "    deploy: {restart_policy: {condition: none}}\n    healthcheck:", 1)
	_, ev, err := deploy(t, f, loadProject(t, yaml, nil), DeployOptions{Wait: true})
	if err == nil || !strings.Contains(err.Error(), "Service db: ") {
		t.Fatalf("got %v, want db's failure", err)
	}
	// web depends on db being healthy: it must never be created.
	for _, s := range f.Services() {
		if s.Spec.Name == "shop_web" {
			t.Errorf("web was created though db never ran")
		}
	}
	if got := ev.texts("web"); len(got) != 0 {
		t.Errorf("web has events %q", got)
	}
}

func TestApplyRemovesTheStack(t *testing.T) {
	f := enginetest.New()
	if _, _, err := deploy(t, f, loadProject(t, shopYAML, nil), DeployOptions{}); err != nil {
		t.Fatal(err)
	}
	obs, err := Observe(t.Context(), f, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if err := Apply(t.Context(), f, PlanRemove(obs), progress.Discard, ApplyOptions{Poll: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if obs, err = Observe(t.Context(), f, "shop"); err != nil || !obs.Empty() {
		t.Errorf("left after removal: %+v (%v)", obs, err)
	}
}

func TestCheckManager(t *testing.T) {
	var nm *NotManagerError
	if err := CheckManager(t.Context(), enginetest.New().WithoutSwarm()); !errors.As(err, &nm) || !strings.Contains(err.Error(), "docker swarm init") {
		t.Errorf("outside a swarm: %v", err)
	}
	if err := CheckManager(t.Context(), enginetest.New()); err != nil {
		t.Errorf("on a manager: %v", err)
	}
}

func TestResolvePinsDigests(t *testing.T) {
	const digest = "sha256:" + "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12"
	f := enginetest.New().WithImageDigest("registry.example/shop/web:1", digest)
	p := loadProject(t, "name: shop\nservices:\n  web: {image: registry.example/shop/web:1}\n  db: {image: busybox}\n", nil)
	d, err := Resolve(t.Context(), f, p, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Images["web"]; got != "registry.example/shop/web:1@"+digest {
		t.Errorf("web runs %q", got)
	}
	if got := d.Images["db"]; got != "busybox" || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "image busybox: no digest") {
		t.Errorf("db runs %q with warnings %q", got, d.Warnings)
	}
}

func filterNS(ns string) engine.Filter {
	return engine.Filter{Labels: []string{LabelNamespace + "=" + ns}}
}

func TestSecretNamesAreSalted(t *testing.T) {
	const yaml = `
name: shop
services:
  web: {image: busybox, secrets: [token]}
secrets:
  token: {environment: TOKEN}
`
	f := enginetest.New()
	p := loadProject(t, yaml, []string{"TOKEN=1234"})
	if _, _, err := deploy(t, f, p, DeployOptions{Wait: true}); err != nil {
		t.Fatal(err)
	}
	secrets, err := f.ListSecrets(t.Context(), filterNS("shop"))
	if err != nil || len(secrets) != 1 {
		t.Fatalf("secrets %+v (%v)", secrets, err)
	}
	if bare := VersionedName("shop_token", []byte("1234")); secrets[0].Spec.Name == bare || secrets[0].Spec.Labels[LabelSalt] == "" {
		t.Errorf("secret %s (labels %v): its name is the bare hash of its content", secrets[0].Spec.Name, secrets[0].Spec.Labels)
	}
	// The salt is the stack's: the same content keeps its version.
	plan, _, err := deploy(t, f, loadProject(t, yaml, []string{"TOKEN=1234"}), DeployOptions{Wait: true})
	if err != nil || plan.Changes() != 0 {
		t.Errorf("an unchanged secret changes (%v):\n%s", err, plan)
	}
}
