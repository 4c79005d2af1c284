package project

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/errdefs"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadGraphYAML loads a compose file through compose-go, so the graph sees
// the depends_on entries the loader adds on its own.
func loadGraphYAML(t testing.TB, yaml string, opts ...func(*loader.Options)) *types.Project {
	t.Helper()
	opts = append(opts, func(o *loader.Options) { o.SetProjectName("test", true) })
	p, err := loader.LoadWithContext(t.Context(), types.ConfigDetails{
		WorkingDir:  t.TempDir(),
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: []byte(yaml)}},
		Environment: map[string]string{},
	}, opts...)
	if err != nil {
		t.Fatalf("loading compose file: %v", err)
	}
	return p
}

// skipConsistency lets through what compose-go's loader would reject, to
// check the graph's own errors are the better ones.
func skipConsistency(o *loader.Options) { o.SkipConsistencyCheck = true }

// graphProject builds a project in Go, for shapes the loader refuses
// (cycles, undefined services) or never produces (links without the
// depends_on entries it adds).
func graphProject(services ...types.ServiceConfig) *types.Project {
	p := &types.Project{Name: "test", Services: types.Services{}}
	for _, s := range services {
		p.Services[s.Name] = s
	}
	return p
}

// testService builds a service in Go; compose-go's embedded specs make
// struct literals unwieldy.
func testService(name string, edit func(s *types.ServiceConfig)) types.ServiceConfig {
	s := types.ServiceConfig{Name: name}
	if edit != nil {
		edit(&s)
	}
	return s
}

// serviceNeeding is a service with a short-syntax depends_on.
func serviceNeeding(name string, deps ...string) types.ServiceConfig {
	return testService(name, func(s *types.ServiceConfig) { s.DependsOn = needs(deps...) })
}

// needs is a depends_on as the loader fills in the short syntax.
func needs(targets ...string) types.DependsOnConfig {
	d := types.DependsOnConfig{}
	for _, t := range targets {
		d[t] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
	}
	return d
}

func edgeStrings(edges []Edge) []string {
	var out []string
	for _, e := range edges {
		out = append(out, e.String())
	}
	return out
}

func assertStrings(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got  %q\n want %q", what, got, want)
	}
}

func TestGraphEdgeKinds(t *testing.T) {
	const db = "  db:\n    image: db\n"
	tests := []struct {
		name    string
		project func(t *testing.T) *types.Project
		want    []string
	}{
		{
			name:    "depends_on short syntax",
			project: yamlProject("services:\n  web:\n    image: web\n    depends_on: [db]\n" + db),
			want:    []string{"web -> db depends_on service_started"},
		},
		{
			name: "depends_on long syntax keeps condition and restart",
			project: yamlProject("services:\n  web:\n    image: web\n    depends_on:\n      db: {condition: service_healthy, restart: true}\n" +
				"      init: {condition: service_completed_successfully}\n" + db + "  init:\n    image: init\n"),
			want: []string{"web -> db depends_on service_healthy restart", "web -> init depends_on service_completed_successfully"},
		},
		{
			name:    "links, twice under two aliases, is one edge and no depends_on",
			project: yamlProject("services:\n  web:\n    image: web\n    links: [db, \"db:database\"]\n" + db),
			want:    []string{"web -> db links service_started restart"},
		},
		{
			name: "links beside a depends_on of its own keeps both",
			project: yamlProject("services:\n  web:\n    image: web\n    links: [db]\n    depends_on:\n      db: {condition: service_healthy}\n" +
				db),
			want: []string{"web -> db depends_on service_healthy", "web -> db links service_started restart"},
		},
		{
			name:    "network_mode service",
			project: yamlProject("services:\n  web:\n    image: web\n    network_mode: service:db\n" + db),
			want:    []string{"web -> db network_mode service_started restart"},
		},
		{
			name:    "network_mode container or host is no edge",
			project: yamlProject("services:\n  web:\n    image: web\n    network_mode: container:other\n  api:\n    image: api\n    network_mode: host\n"),
			want:    nil,
		},
		{
			name:    "ipc and pid service",
			project: yamlProject("services:\n  web:\n    image: web\n    ipc: service:db\n    pid: service:db\n" + db),
			want:    []string{"web -> db ipc service_started restart", "web -> db pid service_started restart"},
		},
		{
			name:    "volumes_from service with and without mode; container is no edge",
			project: yamlProject("services:\n  web:\n    image: web\n    volumes_from: [db, \"db:ro\", \"container:other\"]\n" + db),
			want:    []string{"web -> db volumes_from service_started"},
		},
		{
			// compose-go's loader adds a bogus depends_on "service" here.
			name:    "volumes_from service: prefix",
			project: yamlProject("services:\n  web:\n    image: web\n    volumes_from: [\"service:db:ro\"]\n"+db, skipConsistency),
			want:    []string{"web -> db volumes_from service_started"},
		},
		{
			name:    "uts service has no kind of its own and stays depends_on",
			project: yamlProject("services:\n  web:\n    image: web\n    uts: service:db\n" + db),
			want:    []string{"web -> db depends_on service_started restart"},
		},
		{
			name: "built in Go: links without depends_on, depends_on without condition",
			project: func(*testing.T) *types.Project {
				return graphProject(
					testService("web", func(s *types.ServiceConfig) {
						s.Links = []string{"db:database"}
						s.DependsOn = types.DependsOnConfig{"cache": {Required: true}}
					}),
					testService("db", nil),
					testService("cache", nil),
				)
			},
			want: []string{"web -> cache depends_on service_started", "web -> db links service_started restart"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGraph(tt.project(t))
			if err != nil {
				t.Fatalf("NewGraph: %v", err)
			}
			assertStrings(t, "edges", edgeStrings(g.Edges()), tt.want)
			if len(g.Warnings) > 0 {
				t.Errorf("unexpected warnings: %q", g.Warnings)
			}
		})
	}
}

func yamlProject(yaml string, opts ...func(*loader.Options)) func(t *testing.T) *types.Project {
	return func(t *testing.T) *types.Project { return loadGraphYAML(t, yaml, opts...) }
}

func TestGraphNetworksAndVolumes(t *testing.T) {
	p := loadGraphYAML(t, `
services:
  web:
    image: web
    networks: [front, back]
    volumes: ["data:/data", "data:/again", "./src:/src", "/anon", "cache:/cache"]
  db:
    image: db
    volumes: [{type: tmpfs, target: /tmp}]
  probe:
    image: probe
    network_mode: host
networks:
  front:
  back:
volumes:
  data:
  cache:
`)
	g, err := NewGraph(p)
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	tests := []struct {
		service           string
		networks, volumes []string
	}{
		{service: "web", networks: []string{"back", "front"}, volumes: []string{"cache", "data"}},
		{service: "db", networks: []string{"default"}},
		{service: "probe"},
		{service: "unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.service, func(t *testing.T) {
			assertStrings(t, "networks", g.Networks(tt.service), tt.networks)
			assertStrings(t, "volumes", g.Volumes(tt.service), tt.volumes)
		})
	}
}

func TestGraphCycle(t *testing.T) {
	tests := []struct {
		name     string
		services []types.ServiceConfig
		want     string
	}{
		{
			name:     "self",
			services: []types.ServiceConfig{serviceNeeding("a", "a")},
			want:     "dependency cycle detected: a -> a",
		},
		{
			name:     "two",
			services: []types.ServiceConfig{serviceNeeding("b", "a"), serviceNeeding("a", "b")},
			want:     "dependency cycle detected: a -> b -> a",
		},
		{
			name: "three",
			services: []types.ServiceConfig{
				serviceNeeding("a", "b"), serviceNeeding("b", "c"), serviceNeeding("c", "a"),
			},
			want: "dependency cycle detected: a -> b -> c -> a",
		},
		{
			name: "entered from outside starts at its lowest name",
			services: []types.ServiceConfig{
				serviceNeeding("a", "d"), serviceNeeding("d", "c"), serviceNeeding("c", "b"),
				serviceNeeding("b", "d"),
			},
			want: "dependency cycle detected: b -> d -> c -> b",
		},
		{
			name: "two cycles: the one reached first from the lowest name",
			services: []types.ServiceConfig{
				serviceNeeding("a", "y", "x"), serviceNeeding("x", "a"), serviceNeeding("y", "a"),
			},
			want: "dependency cycle detected: a -> x -> a",
		},
		{
			name: "through kinds other than depends_on",
			services: []types.ServiceConfig{
				testService("app", func(s *types.ServiceConfig) { s.NetworkMode = "service:net" }),
				testService("net", func(s *types.ServiceConfig) { s.VolumesFrom = []string{"store:ro"} }),
				testService("store", func(s *types.ServiceConfig) { s.Links = []string{"app"} }),
			},
			want: "dependency cycle detected: app -> net -> store -> app",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGraph(graphProject(tt.services...))
			var cycle *CycleError
			if !errors.As(err, &cycle) {
				t.Fatalf("want *CycleError, got %v", err)
			}
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
		})
	}
}

func TestGraphMissingDependency(t *testing.T) {
	tests := []struct {
		name    string
		project func(t *testing.T) *types.Project
		want    string
		is      error
	}{
		{
			name:    "undefined",
			project: goProject(serviceNeeding("web", "ghost")),
			want:    `service "web" depends on undefined service "ghost"`,
			is:      errdefs.ErrNotFound,
		},
		{
			name:    "undefined through links",
			project: goProject(testService("web", func(s *types.ServiceConfig) { s.Links = []string{"ghost:g"} })),
			want:    `service "web" depends on undefined service "ghost" (via links)`,
			is:      errdefs.ErrNotFound,
		},
		{
			name: "disabled by a profile",
			project: yamlProject("services:\n  web:\n    image: web\n    depends_on: [x]\n  x:\n    image: x\n    profiles: [debug]\n",
				skipConsistency),
			want: `service "web" depends on service "x" which is disabled (profile "debug"); enable it with --profile debug`,
			is:   errdefs.ErrDisabled,
		},
		{
			name: "disabled by two profiles, through network_mode",
			project: yamlProject("services:\n  web:\n    image: web\n    network_mode: service:x\n  x:\n    image: x\n    profiles: [test, debug]\n",
				skipConsistency),
			want: `service "web" depends on service "x" (via network_mode) which is disabled (profiles "debug", "test"); ` +
				`enable it with --profile debug or --profile test`,
			is: errdefs.ErrDisabled,
		},
		{
			name: "disabled by selection, not profiles",
			project: func(*testing.T) *types.Project {
				p := graphProject(serviceNeeding("web", "x"))
				p.DisabledServices = types.Services{"x": testService("x", nil)}
				return p
			},
			want: `service "web" depends on service "x" which is disabled`,
			is:   errdefs.ErrDisabled,
		},
		{
			name: "every missing dependency, sorted",
			project: goProject(
				serviceNeeding("web", "zed", "ghost"),
				testService("api", func(s *types.ServiceConfig) { s.Ipc = "service:nope" }),
			),
			want: `service "api" depends on undefined service "nope" (via ipc)` + "\n" +
				`service "web" depends on undefined service "ghost"` + "\n" +
				`service "web" depends on undefined service "zed"`,
			is: errdefs.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewGraph(tt.project(t))
			if err == nil {
				t.Fatal("want an error, got none")
			}
			if err.Error() != tt.want {
				t.Errorf("got  %q\nwant %q", err.Error(), tt.want)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false", tt.is)
			}
			var depErr *DependencyError
			if !errors.As(err, &depErr) {
				t.Errorf("want a *DependencyError in %v", err)
			}
		})
	}
}

func goProject(services ...types.ServiceConfig) func(*testing.T) *types.Project {
	return func(*testing.T) *types.Project { return graphProject(services...) }
}

func TestGraphOptionalDependency(t *testing.T) {
	tests := []struct {
		name     string
		project  func(t *testing.T) *types.Project
		edges    []string
		warnings []string
	}{
		{
			name: "disabled by a profile",
			project: yamlProject("services:\n  web:\n    image: web\n    depends_on:\n      x: {condition: service_started, required: false}\n" +
				"  x:\n    image: x\n    profiles: [debug]\n"),
			warnings: []string{`service "web" depends on service "x" which is disabled (profile "debug"); ignored as it is optional (required: false)`},
		},
		{
			name: "undefined",
			project: goProject(
				testService("web", func(s *types.ServiceConfig) {
					s.DependsOn = types.DependsOnConfig{
						"ghost": {Condition: types.ServiceConditionHealthy},
						"db":    {Condition: types.ServiceConditionHealthy},
					}
				}),
				testService("db", nil),
			),
			edges:    []string{"web -> db depends_on service_healthy optional"},
			warnings: []string{`service "web" depends on undefined service "ghost"; ignored as it is optional (required: false)`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := NewGraph(tt.project(t))
			if err != nil {
				t.Fatalf("NewGraph: %v", err)
			}
			assertStrings(t, "edges", edgeStrings(g.Edges()), tt.edges)
			assertStrings(t, "warnings", g.Warnings, tt.warnings)
		})
	}
}

// queryYAML: web needs api and cache, api and worker need db; lone needs
// nothing and nothing needs it.
const queryYAML = `
services:
  web:
    image: web
    depends_on: [api]
    links: [cache]
  api:
    image: api
    depends_on:
      db: {condition: service_healthy}
  worker:
    image: worker
    depends_on: [db]
  db:
    image: db
  cache:
    image: cache
  lone:
    image: lone
`

func TestGraphQueries(t *testing.T) {
	g, err := NewGraph(loadGraphYAML(t, queryYAML))
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	assertStrings(t, "Services", g.Services(), []string{"api", "cache", "db", "lone", "web", "worker"})
	assertStrings(t, "Edges", edgeStrings(g.Edges()), []string{
		"api -> db depends_on service_healthy",
		"web -> api depends_on service_started",
		"web -> cache links service_started restart",
		"worker -> db depends_on service_started",
	})
	tests := []struct {
		query string
		got   []string
		want  []string
	}{
		{"Dependencies(web)", edgeStrings(g.Dependencies("web")), []string{"web -> api depends_on service_started", "web -> cache links service_started restart"}},
		{"Dependencies(db)", edgeStrings(g.Dependencies("db")), nil},
		{"Dependents(db)", edgeStrings(g.Dependents("db")), []string{"api -> db depends_on service_healthy", "worker -> db depends_on service_started"}},
		{"Dependents(unknown)", edgeStrings(g.Dependents("unknown")), nil},
		{"DependencyClosure(web)", g.DependencyClosure("web"), []string{"api", "cache", "db", "web"}},
		{"DependencyClosure(worker, lone)", g.DependencyClosure("worker", "lone"), []string{"db", "lone", "worker"}},
		{"DependencyClosure(unknown)", g.DependencyClosure("unknown"), nil},
		{"DependentClosure(db)", g.DependentClosure("db"), []string{"api", "db", "web", "worker"}},
		{"DependentClosure(cache, api)", g.DependentClosure("cache", "api"), []string{"api", "cache", "web"}},
		{"DependentClosure()", g.DependentClosure(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) { assertStrings(t, tt.query, tt.got, tt.want) })
	}
}

func TestGraphAccessorsReturnCopies(t *testing.T) {
	g, err := NewGraph(loadGraphYAML(t, queryYAML))
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	g.Services()[0] = "changed"
	g.Dependencies("web")[0].To = "changed"
	g.Edges()[0].From = "changed"
	if strings.Contains(fmt.Sprint(g.Services(), g.Edges(), g.Dependencies("web")), "changed") {
		t.Error("a caller changed the graph through a returned slice")
	}
}

// BenchmarkNewGraph200 builds a 200-service graph: a chain through every
// service, each also fanning in on the first ten, plus links on every
// seventh.
func BenchmarkNewGraph200(b *testing.B) {
	var services []types.ServiceConfig
	for i := range 200 {
		s := testService(fmt.Sprintf("s%03d", i), func(s *types.ServiceConfig) {
			s.DependsOn = types.DependsOnConfig{}
			s.Networks = map[string]*types.ServiceNetworkConfig{"default": nil}
		})
		if i > 0 {
			s.DependsOn[fmt.Sprintf("s%03d", i-1)] = types.ServiceDependency{Condition: types.ServiceConditionStarted, Required: true}
		}
		for hub := 0; hub < 10 && hub < i-1; hub++ {
			s.DependsOn[fmt.Sprintf("s%03d", hub)] = types.ServiceDependency{Condition: types.ServiceConditionHealthy, Required: true}
		}
		if i%7 == 0 && i > 0 {
			s.Links = []string{fmt.Sprintf("s%03d", i/2)}
		}
		services = append(services, s)
	}
	p := graphProject(services...)
	for b.Loop() {
		if _, err := NewGraph(p); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRestartDependents(t *testing.T) {
	p := loadGraphYAML(t, `
services:
  db: {image: x}
  api: {image: x, depends_on: {db: {condition: service_started, restart: true}}}
  web: {image: x, depends_on: {api: {condition: service_started, restart: true}}}
  worker: {image: x, depends_on: [db]}
`)
	g, err := NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		named []string
		want  string
	}{
		{[]string{"db"}, "api db web"},
		{[]string{"api"}, "api web"},
		{[]string{"worker"}, "worker"},
	} {
		if got := strings.Join(g.RestartDependents(tt.named...), " "); got != tt.want {
			t.Errorf("RestartDependents(%v) = %q, want %q", tt.named, got, tt.want)
		}
	}
}
