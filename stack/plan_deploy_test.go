package stack

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
)

const shopYAML = `
name: shop
services:
  db:
    image: busybox
    healthcheck: {test: ["CMD", "true"]}
  web:
    image: busybox
    environment: {COLOUR: "${COLOUR:-blue}"}
    configs: [settings]
    depends_on:
      db: {condition: service_healthy}
configs:
  settings:
    content: "mode=${MODE:-one}"
`

// desiredOf resolves p without an engine: contents from the project,
// images as written.
func desiredOf(t *testing.T, p *types.Project) *Desired {
	t.Helper()
	d := &Desired{Images: map[string]string{}, Configs: map[string]Object{}, Secrets: map[string]Object{}}
	for _, s := range p.Services {
		d.Images[s.Name] = s.Image
	}
	var err error
	if d.Configs, err = objects(t.Context(), nil, p, "config", fileObjects(p.Configs), ""); err != nil {
		t.Fatal(err)
	}
	if d.Secrets, err = objects(t.Context(), nil, p, "secret", fileObjects(p.Secrets), "salt"); err != nil {
		t.Fatal(err)
	}
	return d
}

// deployed is what the engine holds once plan ran on obs: its services
// created or updated, its objects made, its removals done.
func deployed(obs *Observed, plan *Plan) *Observed {
	out := &Observed{Namespace: obs.Namespace, Services: map[string]swarm.Service{}, Networks: obs.Networks}
	for k, v := range obs.Services {
		out.Services[k] = v
	}
	removed := map[string]bool{}
	for _, a := range plan.Actions {
		removed[a.TargetID] = a.Kind == RemoveConfig || a.Kind == RemoveSecret || a.Kind == RemoveService
	}
	for _, c := range obs.Configs {
		if !removed[c.ID] {
			out.Configs = append(out.Configs, c)
		}
	}
	for _, a := range plan.Actions {
		switch a.Kind {
		case CreateService, UpdateService:
			svc := out.Services[a.Service]
			svc.ID = orKey(svc.ID, "id-"+a.Service)
			svc.Version.Index++
			svc.Spec = *a.Spec
			out.Services[a.Service] = svc
		case RemoveService:
			delete(out.Services, a.Service)
			for k, s := range out.Services {
				if s.ID == a.TargetID {
					delete(out.Services, k)
				}
			}
		case CreateConfig:
			c := swarm.Config{ID: "id-" + a.Name}
			c.Spec.Name, c.Spec.Labels, c.Spec.Data = a.Name, a.Labels, a.Object.Data
			out.Configs = append(out.Configs, c)
		case CreateNetwork:
			out.Networks = append(out.Networks, engine.Network{ID: "id-" + a.Name, Name: a.Name, Labels: a.Network.Labels})
		}
	}
	return out
}

func planOf(t *testing.T, p *types.Project, obs *Observed, opts DeployOptions) *Plan {
	t.Helper()
	plan, err := PlanDeploy(p, obs, desiredOf(t, p), opts)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

func emptyStack(ns string) *Observed {
	return &Observed{Namespace: ns, Services: map[string]swarm.Service{}}
}

func TestPlanDeploy(t *testing.T) {
	cold := loadProject(t, shopYAML, nil)
	first := planOf(t, cold, emptyStack("shop"), DeployOptions{})
	settings := VersionedName("shop_settings", []byte("mode=one"))
	assertPlan(t, "cold", first, `
create-config:`+settings+` (new)
create-network:shop_default (new network)
create-service:db [after create-network:shop_default] (new service)
create-service:web [after create-config:`+settings+`, create-network:shop_default, wait:db] (new service)
wait:db [after create-service:db] (until its tasks run: services depend on it)
`)
	live := deployed(emptyStack("shop"), first)

	t.Run("unchanged sends nothing", func(t *testing.T) {
		assertPlan(t, "unchanged", planOf(t, loadProject(t, shopYAML, nil), live, DeployOptions{}), `
wait:db (until its tasks run: services depend on it)
`)
		plan := planOf(t, loadProject(t, shopYAML, nil), live, DeployOptions{Wait: true})
		if plan.Changes() != 0 {
			t.Errorf("an unchanged project with --wait changes things:\n%s", plan)
		}
	})
	t.Run("a changed environment updates one service", func(t *testing.T) {
		assertPlan(t, "env", planOf(t, loadProject(t, shopYAML, []string{"COLOUR=red"}), live, DeployOptions{}), `
update-service:web [after wait:db] (environment changed)
wait:db (until its tasks run: services depend on it)
`)
	})
	t.Run("a changed config is a new version, the old one goes after", func(t *testing.T) {
		two := VersionedName("shop_settings", []byte("mode=two"))
		assertPlan(t, "config", planOf(t, loadProject(t, shopYAML, []string{"MODE=two"}), live, DeployOptions{Wait: true}), `
create-config:`+two+` (content changed)
remove-config:`+settings+` [after update-service:web, wait:db, wait:web] (no longer used)
update-service:web [after create-config:`+two+`, wait:db] (configs changed)
wait:db (until its tasks run: services depend on it)
wait:web [after update-service:web] (until its tasks run)
`)
	})
	t.Run("orphans stay unless pruned", func(t *testing.T) {
		extra := deployed(emptyStack("shop"), first)
		old := swarm.Service{ID: "id-old"}
		old.Spec.Name = "shop_old"
		extra.Services["old"] = old
		p := loadProject(t, shopYAML, nil)
		kept := planOf(t, p, extra, DeployOptions{})
		if kept.Changes() != 0 || !strings.Contains(kept.String(), "warning: service shop_old of stack shop is not in the project") {
			t.Errorf("without --prune:\n%s", kept)
		}
		pruned := planOf(t, p, extra, DeployOptions{Prune: true})
		if !strings.Contains(pruned.String(), "remove-service:shop_old (not in the project)") {
			t.Errorf("with --prune:\n%s", pruned)
		}
	})
}

func TestPlanDeployAdoptsDockerStack(t *testing.T) {
	p := loadProject(t, shopYAML, nil)
	live := deployed(emptyStack("shop"), planOf(t, p, emptyStack("shop"), DeployOptions{}))
	db := live.Services["db"]
	db.Spec.Labels = map[string]string{LabelNamespace: "shop"} // as docker stack left it
	live.Services["db"] = db
	plan := planOf(t, p, live, DeployOptions{})
	if !strings.Contains(plan.String(), "update-service:db (not deployed by berth before)") {
		t.Errorf("a service without berth's hash:\n%s", plan)
	}
}

func TestPlanDeployRunsAwaitedServicesOnce(t *testing.T) {
	p := loadProject(t, `
name: shop
services:
  migrate: {image: busybox}
  web:
    image: busybox
    depends_on:
      migrate: {condition: service_completed_successfully}
`, nil)
	plan := planOf(t, p, emptyStack("shop"), DeployOptions{})
	assertPlan(t, "job", plan, `
create-network:shop_default (new network)
create-service:migrate [after create-network:shop_default] (new service)
create-service:web [after create-network:shop_default, wait:migrate] (new service)
wait:migrate [after create-service:migrate] (until it has completed: services depend on it)
`)
	for _, a := range plan.Actions {
		if a.ID == "create-service:migrate" && (a.Spec.Mode.ReplicatedJob == nil || a.Spec.UpdateConfig != nil) {
			t.Errorf("migrate runs as %+v with update config %+v, want a replicated job without", a.Spec.Mode, a.Spec.UpdateConfig)
		}
	}
}

func TestPlanRemove(t *testing.T) {
	p := loadProject(t, shopYAML, nil)
	live := deployed(emptyStack("shop"), planOf(t, p, emptyStack("shop"), DeployOptions{}))
	settings := VersionedName("shop_settings", []byte("mode=one"))
	assertPlan(t, "remove", PlanRemove(live), `
remove-config:`+settings+` [after remove-service:shop_db, remove-service:shop_web]
remove-network:shop_default [after remove-service:shop_db, remove-service:shop_web]
remove-service:shop_db
remove-service:shop_web
`)
}

func TestStampHashesLeavesReplicasOutOfTheTaskHash(t *testing.T) {
	p := loadProject(t, shopYAML, nil)
	one, _, err := desiredSpec(&Plan{}, p, p.Services["db"], planRefs("shop", desiredOf(t, p), nil), false)
	if err != nil {
		t.Fatal(err)
	}
	s := p.Services["db"]
	s.Scale = ptr(3)
	three, _, err := desiredSpec(&Plan{}, p, s, planRefs("shop", desiredOf(t, p), nil), false)
	if err != nil {
		t.Fatal(err)
	}
	task := func(s swarm.ServiceSpec) string { return s.TaskTemplate.ContainerSpec.Labels[LabelTaskHash] }
	if task(one) != task(three) || one.Labels[LabelSpecHash] == three.Labels[LabelSpecHash] {
		t.Errorf("scaling changed the task hash (%s, %s) or kept the spec hash", task(one), task(three))
	}
}

func assertPlan(t *testing.T, what string, plan *Plan, want string) {
	t.Helper()
	if got := plan.String(); strings.TrimSpace(got) != strings.TrimSpace(want) {
		t.Errorf("%s plan:\n%s\nwant:\n%s", what, got, strings.TrimLeft(want, "\n"))
	}
}

func TestPlanDeployWarnsOfFieldsTheEngineDrops(t *testing.T) {
	p := loadProject(t, `
name: shop
services:
  db:
    image: busybox
    healthcheck: {test: ["CMD", "true"], start_interval: 1s}
`, nil)
	old := planOf(t, p, emptyStack("shop"), DeployOptions{APIVersion: "1.41"})
	if !strings.Contains(old.String(), "warning: service shop_db: healthcheck.start_interval needs Engine API 1.44, and this engine speaks 1.41") {
		t.Errorf("on API 1.41:\n%s", old)
	}
	if current := planOf(t, p, emptyStack("shop"), DeployOptions{APIVersion: "1.47"}); strings.Contains(current.String(), "warning") {
		t.Errorf("on API 1.47:\n%s", current)
	}
}

func TestPlanDeployKeepsAPinWhenTheRegistryIsOutOfReach(t *testing.T) {
	const digest = "sha256:" + "cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34cd34"
	p := loadProject(t, "name: shop\nservices:\n  web: {image: registry.example/web:1}\n", nil)
	pinned := desiredOf(t, p)
	pinned.Images["web"] = "registry.example/web:1@" + digest
	first, err := PlanDeploy(p, emptyStack("shop"), pinned, DeployOptions{})
	if err != nil {
		t.Fatal(err)
	}
	live := deployed(emptyStack("shop"), first)
	// This time the registry did not answer: the image is as written.
	again := planOf(t, p, live, DeployOptions{})
	if again.Changes() != 0 {
		t.Errorf("a registry out of reach changes the service:\n%s", again)
	}
	other := loadProject(t, "name: shop\nservices:\n  web: {image: registry.example/web:2}\n", nil)
	if plan := planOf(t, other, live, DeployOptions{}); !strings.Contains(plan.String(), "update-service:web (image") {
		t.Errorf("a new tag must still update:\n%s", plan)
	}
}

func TestPlanDeployRefusesAModeChange(t *testing.T) {
	p := loadProject(t, "name: shop\nservices:\n  migrate: {image: busybox}\n", nil)
	live := deployed(emptyStack("shop"), planOf(t, p, emptyStack("shop"), DeployOptions{}))
	job := loadProject(t, `
name: shop
services:
  migrate: {image: busybox}
  web:
    image: busybox
    depends_on: {migrate: {condition: service_completed_successfully}}
`, nil)
	_, err := PlanDeploy(job, live, desiredOf(t, job), DeployOptions{})
	if err == nil || !strings.Contains(err.Error(), "swarm cannot change a service's mode") || !strings.Contains(err.Error(), "docker service rm shop_migrate") {
		t.Errorf("got %v", err)
	}
}

func TestPlanDeployResumesAPausedUpdate(t *testing.T) {
	p := loadProject(t, shopYAML, nil)
	live := deployed(emptyStack("shop"), planOf(t, p, emptyStack("shop"), DeployOptions{}))
	web := live.Services["web"]
	web.UpdateStatus = &swarm.UpdateStatus{State: swarm.UpdateStatePaused}
	live.Services["web"] = web
	if plan := planOf(t, p, live, DeployOptions{}); !strings.Contains(plan.String(), "update-service:web [after wait:db] (its last update paused)") {
		t.Errorf("a paused update is not sent again:\n%s", plan)
	}
}

func TestPlanDeployKeepsOldVersionsWithoutWaits(t *testing.T) {
	p := loadProject(t, shopYAML, nil)
	live := deployed(emptyStack("shop"), planOf(t, p, emptyStack("shop"), DeployOptions{}))
	changed := loadProject(t, shopYAML, []string{"MODE=two"})
	if plan := planOf(t, changed, live, DeployOptions{}); strings.Contains(plan.String(), "remove-config:") {
		t.Errorf("without waits the version a rollback needs is removed:\n%s", plan)
	}
	// The next deploy, once web names only the new version, removes it.
	moved := deployed(live, planOf(t, changed, live, DeployOptions{}))
	if plan := planOf(t, changed, moved, DeployOptions{}); !strings.Contains(plan.String(), "remove-config:"+VersionedName("shop_settings", []byte("mode=one"))) {
		t.Errorf("the old version stays for good:\n%s", plan)
	}
}
