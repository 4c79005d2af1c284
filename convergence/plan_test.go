package convergence

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

const shopYAML = `
name: shop
services:
  web:
    image: web:1
    depends_on:
      api: {condition: service_healthy}
  api:
    image: api:1
    depends_on: [db]
    healthcheck: {test: ["CMD", "true"]}
  db:
    image: db:1
    volumes: [data:/data]
volumes:
  data:
`

func loadProject(t *testing.T, yaml string) (*types.Project, *project.Graph) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Load(context.Background(), project.LoadOptions{ProjectDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	g, err := project.NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	return p, g
}

// running returns an observed container of service n as berth would have
// made it from p: same hash, running.
func running(t *testing.T, p *types.Project, service string, n int) engine.Container {
	t.Helper()
	hash, err := ServiceHash(p.Services[service])
	if err != nil {
		t.Fatal(err)
	}
	name := ContainerName(p.Name, p.Services[service], n)
	return engine.Container{ID: "id-" + name, Name: name, State: engine.StateRunning, Labels: map[string]string{
		LabelProject: p.Name, LabelService: service, LabelContainerNumber: strconv.Itoa(n),
		LabelOneoff: "False", LabelConfigHash: hash,
	}}
}

func withDefaultNetwork(o *Observed) *Observed {
	o.Networks["shop_default"] = engine.Network{ID: "net1", Name: "shop_default", Labels: map[string]string{LabelProject: "shop"}}
	return o
}

func observed(p *types.Project, containers ...engine.Container) *Observed {
	o := &Observed{Project: p.Name, Networks: map[string]engine.Network{}, Volumes: map[string]engine.Volume{}}
	o.Containers = containers
	return o
}

func withNetworkAndVolume(o *Observed) *Observed {
	withDefaultNetwork(o)
	o.Volumes["shop_data"] = engine.Volume{Name: "shop_data", Labels: map[string]string{LabelProject: "shop"}}
	return o
}

func TestPlanUp(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	all := func(mods ...func(*engine.Container)) []engine.Container {
		cs := []engine.Container{running(t, p, "api", 1), running(t, p, "db", 1), running(t, p, "web", 1)}
		for _, m := range mods {
			for i := range cs {
				m(&cs[i])
			}
		}
		return cs
	}
	tests := []struct {
		name     string
		observed *Observed
		opts     UpOptions
		want     string
	}{
		{
			name:     "fresh project: creates run in parallel, starts follow depends_on conditions",
			observed: observed(p),
			want: `create-network:shop_default (missing)
create-volume:shop_data (missing)
create:shop-api-1 [after create-network:shop_default] (new container)
create:shop-db-1 [after create-network:shop_default create-volume:shop_data] (new container)
create:shop-web-1 [after create-network:shop_default] (new container)
start:shop-api-1 [after create:shop-api-1 started:db] (new container)
start:shop-db-1 [after create:shop-db-1] (new container)
start:shop-web-1 [after create:shop-web-1 wait-healthy:api] (new container)
started:api [after start:shop-api-1]
started:db [after start:shop-db-1]
started:web [after start:shop-web-1]
wait-healthy:api [after started:api]
`,
		},
		{
			name:     "unchanged project: nothing to do",
			observed: withNetworkAndVolume(observed(p, all()...)),
			want:     "started:api\nstarted:db\nstarted:web\n",
		},
		{
			name: "stopped container is started, not recreated",
			observed: withNetworkAndVolume(observed(p, all(func(c *engine.Container) {
				if c.Labels[LabelService] == "db" {
					c.State = engine.StateExited
				}
			})...)),
			want: "start:shop-db-1 (was exited)\nstarted:api\nstarted:db [after start:shop-db-1]\nstarted:web\n",
		},
		{
			name: "changed config recreates without removing first",
			observed: withNetworkAndVolume(observed(p, all(func(c *engine.Container) {
				if c.Labels[LabelService] == "web" {
					c.Labels[LabelConfigHash] = "old"
				}
			})...)),
			want: `create:shop-web-1 (configuration changed)
remove:shop-web-1 [after stop:shop-web-1] (configuration changed)
rename:shop-web-1 [after create:shop-web-1 remove:shop-web-1] (configuration changed)
start:shop-web-1 [after rename:shop-web-1 wait-healthy:api] (configuration changed)
started:api
started:db
started:web [after start:shop-web-1]
stop:shop-web-1 [after create:shop-web-1] (configuration changed)
wait-healthy:api [after started:api]
`,
		},
		{
			name:     "--no-recreate keeps a changed container",
			observed: withNetworkAndVolume(observed(p, all(func(c *engine.Container) { c.Labels[LabelConfigHash] = "old" })...)),
			opts:     UpOptions{NoRecreate: true},
			want:     "started:api\nstarted:db\nstarted:web\n",
		},
		{
			name:     "scale up adds numbers, scale down removes the highest",
			observed: withNetworkAndVolume(observed(p, append(all(), running(t, p, "db", 2), running(t, p, "db", 3))...)),
			opts:     UpOptions{Scale: map[string]int{"db": 2, "web": 2}},
			want: `create:shop-web-2 (new container)
remove:shop-db-3 [after stop:shop-db-3] (scaled down to 2)
start:shop-web-2 [after create:shop-web-2 wait-healthy:api] (new container)
started:api
started:db
started:web [after start:shop-web-2]
stop:shop-db-3 (scaled down to 2)
wait-healthy:api [after started:api]
`,
		},
		{
			name: "orphans: a warning, or removed with --remove-orphans",
			observed: withNetworkAndVolume(observed(p, append(all(), engine.Container{ID: "old", Name: "shop-cache-1", State: engine.StateRunning,
				Labels: map[string]string{LabelProject: "shop", LabelService: "cache", LabelContainerNumber: "1"}})...)),
			opts: UpOptions{RemoveOrphans: true, Services: []string{"db"}},
			want: "remove:shop-cache-1 [after stop:shop-cache-1] (orphan)\nstarted:db\nstop:shop-cache-1 (orphan)\n",
		},
		{
			name:     "a selected service brings its dependencies; --no-deps does not",
			observed: withNetworkAndVolume(observed(p)),
			opts:     UpOptions{Services: []string{"api"}, NoDeps: true},
			want:     "create:shop-api-1 (new container)\nstart:shop-api-1 [after create:shop-api-1] (new container)\nstarted:api [after start:shop-api-1]\n",
		},
		{
			name:     "a one-off brings up its dependencies and waits for their conditions, not its own service",
			observed: observed(p),
			opts:     UpOptions{Oneoff: "web"},
			want: `create-network:shop_default (missing)
create-volume:shop_data (missing)
create:shop-api-1 [after create-network:shop_default] (new container)
create:shop-db-1 [after create-network:shop_default create-volume:shop_data] (new container)
start:shop-api-1 [after create:shop-api-1 started:db] (new container)
start:shop-db-1 [after create:shop-db-1] (new container)
started:api [after start:shop-api-1]
started:db [after start:shop-db-1]
wait-healthy:api [after started:api]
`,
		},
		{
			name:     "a one-off with --no-deps makes only its networks and volumes",
			observed: observed(p),
			opts:     UpOptions{Oneoff: "db", OneoffNoDeps: true},
			want:     "create-network:shop_default (missing)\ncreate-volume:shop_data (missing)\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanUp(p, g, tt.observed, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestPlanUpWarnsAboutOrphans(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	o := withNetworkAndVolume(observed(p, engine.Container{ID: "x", Name: "shop-cache-1", Labels: map[string]string{LabelService: "cache", LabelContainerNumber: "1"}}))
	plan, err := PlanUp(p, g, o, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "warning: orphan containers shop-cache-1: their services are no longer in the compose file") || strings.Contains(plan.String(), "remove:shop-cache-1") {
		t.Errorf("plan:\n%s", plan)
	}
}

func TestPlanUpDependencyRestart(t *testing.T) {
	p, g := loadProject(t, `
name: shop
services:
  app: {image: app:1, depends_on: {db: {condition: service_started, restart: true}}}
  db: {image: db:2}
`)
	db := running(t, p, "db", 1)
	db.Labels[LabelConfigHash] = "old"
	o := observed(p, running(t, p, "app", 1), db)
	o.Networks["shop_default"] = engine.Network{Name: "shop_default"}
	plan, err := PlanUp(p, g, o, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// As in docker compose, app is restarted, not recreated: stopped before
	// the old db is, started once the new db runs.
	for _, want := range []string{
		"stop:shop-app-1 (dependency db recreated; depends_on restart: true)",
		"stop:shop-db-1 [after create:shop-db-1 stop:shop-app-1]",
		"start:shop-app-1 [after started:db stop:shop-app-1]",
	} {
		if !strings.Contains(plan.String(), want) {
			t.Errorf("plan lacks %q:\n%s", want, plan)
		}
	}
	if strings.Contains(plan.String(), "create:shop-app-1") {
		t.Errorf("app recreated; it only needs a restart:\n%s", plan)
	}
}

func TestPlanUpExternalNetworkMustExist(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices: {a: {image: x, networks: [ext]}}\nnetworks: {ext: {external: true}}\n")
	_, err := PlanUp(p, g, observed(p), UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "external network ext does not exist") {
		t.Errorf("error = %v", err)
	}
}

func TestPlanDown(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	o := withNetworkAndVolume(observed(p, running(t, p, "api", 1), running(t, p, "db", 1), running(t, p, "web", 1)))
	tests := []struct {
		name string
		opts DownOptions
		want string
	}{
		{
			name: "reverse dependency order, then the network; volumes stay",
			want: `remove-network:shop_default [after remove:shop-api-1 remove:shop-db-1 remove:shop-web-1]
remove:shop-api-1 [after stop:shop-api-1]
remove:shop-db-1 [after stop:shop-db-1]
remove:shop-web-1 [after stop:shop-web-1]
stop:shop-api-1 [after stop:shop-web-1]
stop:shop-db-1 [after stop:shop-api-1]
stop:shop-web-1
`,
		},
		{
			name: "-v removes the named volume too",
			opts: DownOptions{Volumes: true},
			want: "remove-volume:shop_data [after remove:shop-api-1 remove:shop-db-1 remove:shop-web-1]\n",
		},
		{
			name: "stop keeps containers",
			opts: DownOptions{StopOnly: true},
			want: "stop:shop-api-1 [after stop:shop-web-1]\nstop:shop-db-1 [after stop:shop-api-1]\nstop:shop-web-1\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanDown(p, g, o, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); !strings.Contains(got, tt.want) {
				t.Errorf("plan:\n%s\nwant it to contain:\n%s", got, tt.want)
			}
		})
	}
}

func TestPlanDownRemoveImages(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  web: {image: web:1}\n  app: {build: .}\n")
	o := observed(p, running(t, p, "web", 1))
	for mode, want := range map[string]string{
		"all":   "remove-image:shop-app [after remove:shop-web-1]\nremove-image:web:1 [after remove:shop-web-1]\n",
		"local": "remove-image:shop-app [after remove:shop-web-1]\nremove:shop-web-1",
	} {
		plan, err := PlanDown(p, g, o, DownOptions{RemoveImages: mode})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(plan.String(), want) {
			t.Errorf("--rmi %s:\n%s\nwant:\n%s", mode, plan, want)
		}
	}
}

// TestPlanUpRecreateFlags: which containers of an unchanged project each
// flag recreates, as docker compose decides it: the named services follow
// --force-recreate and -V, the dependencies brought along follow
// --always-recreate-deps, and --no-recreate holds for all.
func TestPlanUpRecreateFlags(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	o := withNetworkAndVolume(observed(p, running(t, p, "api", 1), running(t, p, "db", 1), running(t, p, "web", 1)))
	tests := []struct {
		name string
		opts UpOptions
		want string // the recreated services, with their reason
	}{
		{"--force-recreate, no service named: all", UpOptions{ForceRecreate: true}, "api --force-recreate, db --force-recreate, web --force-recreate"},
		{"--force-recreate web: web alone", UpOptions{ForceRecreate: true, Services: []string{"web"}}, "web --force-recreate"},
		{"--always-recreate-deps web: its dependencies", UpOptions{AlwaysRecreateDeps: true, Services: []string{"web"}}, "api --always-recreate-deps, db --always-recreate-deps"},
		{"--always-recreate-deps, no service named: none", UpOptions{AlwaysRecreateDeps: true}, ""},
		{"-V db: db", UpOptions{RenewAnonVolumes: true, Services: []string{"db"}}, "db --renew-anon-volumes"},
		{"--no-recreate wins", UpOptions{NoRecreate: true, Services: []string{"web"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanUp(p, g, o, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range plan.sorted() {
				if a.Kind == CreateContainer {
					got = append(got, a.Service+" "+a.Reason)
				}
			}
			if strings.Join(got, ", ") != tt.want {
				t.Errorf("recreated: %q, want %q\n%s", strings.Join(got, ", "), tt.want, plan)
			}
		})
	}
}

// TestPlanDownNetworks: a network goes once no container the plan keeps
// uses it; one still in use stays, with a warning, and down goes on.
func TestPlanDownNetworks(t *testing.T) {
	p, g := loadProject(t, `
name: shop
services:
  web: {image: web:1, networks: [front]}
  api: {image: api:1, networks: [front, back]}
  debug: {image: busybox, profiles: [debug], networks: [back]}
networks:
  front: {}
  back: {}
`)
	attached := func(c engine.Container, nets ...string) engine.Container { c.Networks = nets; return c }
	debug := engine.Container{ID: "id-debug", Name: "shop-debug-1", State: engine.StateRunning, Networks: []string{"shop_back"},
		Labels: map[string]string{LabelProject: "shop", LabelService: "debug", LabelContainerNumber: "1", LabelOneoff: "False"}}
	o := observed(p, attached(running(t, p, "api", 1), "shop_front", "shop_back"), attached(running(t, p, "web", 1), "shop_front"), debug)
	for _, n := range []string{"shop_front", "shop_back"} {
		o.Networks[n] = engine.Network{ID: "id-" + n, Name: n, Labels: map[string]string{LabelProject: "shop"}}
	}
	tests := []struct {
		name     string
		services []string
		want     []string
		not      []string
	}{
		{name: "a container of a profile not enabled keeps its network", want: []string{
			"remove-network:shop_front [after remove:shop-api-1 remove:shop-web-1]",
			"warning: network shop_back is kept: still used by shop-debug-1",
		}, not: []string{"remove-network:shop_back", "remove:shop-debug-1"}},
		{name: "down SERVICE removes its networks that nothing else uses", services: []string{"api"}, want: []string{
			"warning: network shop_back is kept: still used by shop-debug-1",
			"warning: network shop_front is kept: still used by shop-web-1",
		}, not: []string{"remove-network:"}},
		{name: "down of both services removes front, which only they use", services: []string{"api", "web"}, want: []string{
			"remove-network:shop_front [after remove:shop-api-1 remove:shop-web-1]",
		}, not: []string{"remove-network:shop_back"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := PlanDown(p, g, o, DownOptions{Services: tt.services})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(plan.String(), w+"\n") {
					t.Errorf("plan lacks %q:\n%s", w, plan)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(plan.String(), n) {
					t.Errorf("plan has %q:\n%s", n, plan)
				}
			}
		})
	}
}

// TestPlanUpNoStartWaitsForNothing: create (up --no-start) starts nothing,
// so it must not wait for a health that nothing will reach.
func TestPlanUpNoStartWaitsForNothing(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	plan, err := PlanUp(p, g, observed(p), UpOptions{NoStart: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range plan.Actions {
		if a.Kind == WaitHealthy || a.Kind == WaitCompleted || a.Kind == StartContainer {
			t.Errorf("create plans %s:\n%s", a.ID, plan)
		}
	}
}
