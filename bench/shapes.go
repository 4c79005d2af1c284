package bench

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The runtime benchmarks (scripts/bench.sh) bring generated projects up on
// a real engine. Each shape is described once, as a Project, and two things
// are made from that description: the compose file berth and docker-compose
// read (WriteShape), and the containers the engine floor creates straight
// through the API (bench/floor). Both sides therefore run the same image,
// command, environment, healthcheck, ports, volumes and networks.

// Image is what every runtime service runs. Only a local image will do:
// the benchmark engine has no registry.
const Image = "busybox"

// LabelBench marks everything a runtime benchmark creates, with the value
// saying who created it ("compose" or "floor"), so that cleanup can find
// it whatever failed. LabelProject (floor only) says which project.
const (
	LabelBench   = "berth.bench"
	LabelProject = "berth.bench.project"
)

// ChangeVar is the environment variable the "one service changed" step sets.
// Only the service with Changeable reads it (interpolated, default "0"), so
// a new value recreates exactly that one service.
const ChangeVar = "BENCH_GEN"

// longSleep keeps a container running for longer than any benchmark; with
// init: true the engine's init forwards SIGTERM to it, so a stop is fast
// rather than waiting out the stop timeout.
var longSleep = []string{"sleep", "3600"}

// Project is a runtime benchmark project.
type Project struct {
	Shape    string // as ParseShape reads it: wide-50, mixed
	Services []Service
	// Networks declared at the top level. None means every service is on
	// compose's implicit default network.
	Networks []string
	Volumes  []string // named volumes, declared at the top level
}

// Service is one service of a Project. Every service runs Image with
// init: true.
type Service struct {
	Name        string
	Command     []string
	Environment [][2]string // name, value; in this order in the file
	// Changeable services also get ChangeVar in their environment.
	Changeable  bool
	Healthcheck *Healthcheck
	Ports       []Port
	Volumes     []Mount
	Networks    []string // empty: the default network
	DependsOn   []Dependency
}

// Healthcheck is a service's healthcheck. Engines before API 1.44 have no
// start_interval, so Interval alone sets how soon the first probe runs.
type Healthcheck struct {
	Test     []string // as in compose: "CMD", args... or "CMD-SHELL", line
	Interval time.Duration
	Timeout  time.Duration
	Retries  int
}

// Port publishes Container on HostIP:Host.
type Port struct {
	HostIP    string
	Host      int
	Container int
}

// Mount mounts a named volume.
type Mount struct {
	Volume string
	Target string
}

// Dependency is a depends_on entry.
type Dependency struct {
	Service   string
	Condition string // service_started or service_healthy
}

const (
	started = "service_started"
	healthy = "service_healthy"
)

// ShapeNames lists the shapes Shape knows, in the order the benchmark runs them.
var ShapeNames = []string{"wide", "chain", "fan", "mixed"}

// ParseShape reads "wide-50" as ("wide", 50) and "mixed" as ("mixed", 0).
func ParseShape(s string) (kind string, n int, err error) {
	kind, num, hasN := strings.Cut(s, "-")
	if hasN {
		if n, err = strconv.Atoi(num); err != nil || n < 1 {
			return "", 0, fmt.Errorf("shape %q: want KIND-N with N a positive number, such as wide-50", s)
		}
	}
	return kind, n, nil
}

// Shape builds the project of the given kind:
//
//   - wide-N: N independent services.
//   - chain-N: service i depends on service i-1 (service_started).
//   - fan-N: N services depend with service_healthy on one "root" service
//     that turns healthy about a second after it starts.
//   - mixed: a 12-service application stack: two networks, named volumes,
//     ports on 127.0.0.1, short healthchecks, depends_on with conditions.
//     n must be 0 (or 12).
//
// The last service of every shape is the Changeable one, and nothing
// depends on it, so changing it recreates it alone.
func Shape(kind string, n int) (Project, error) {
	var p Project
	switch kind {
	case "wide", "chain", "fan":
		if n < 1 {
			return Project{}, fmt.Errorf("shape %s needs a number of services, such as %s-50", kind, kind)
		}
		p = numbered(kind, n)
	case "mixed":
		if n != 0 && n != 12 {
			return Project{}, fmt.Errorf("shape mixed has 12 services; drop the count (%d)", n)
		}
		p = mixed()
	default:
		return Project{}, fmt.Errorf("unknown shape %q: use one of %s", kind, strings.Join(ShapeNames, ", "))
	}
	p.Services[len(p.Services)-1].Changeable = true
	return p, nil
}

// numbered builds wide, chain and fan: services svc-000 ... svc-(n-1),
// plus root for fan.
func numbered(kind string, n int) Project {
	p := Project{Shape: fmt.Sprintf("%s-%d", kind, n)}
	width := max(3, len(strconv.Itoa(n-1)))
	name := func(i int) string { return fmt.Sprintf("svc-%0*d", width, i) }
	if kind == "fan" {
		p.Services = append(p.Services, Service{
			Name: "root",
			// Healthy about a second after start, so the benchmark sees how
			// soon the dependents follow a dependency turning healthy.
			Command: []string{"sh", "-c", "sleep 1; touch /tmp/ok; exec sleep 3600"},
			Healthcheck: &Healthcheck{
				Test:     []string{"CMD", "test", "-f", "/tmp/ok"},
				Interval: 250 * time.Millisecond, Timeout: time.Second, Retries: 40,
			},
		})
	}
	for i := range n {
		s := Service{Name: name(i), Command: longSleep, Environment: [][2]string{{"INDEX", strconv.Itoa(i)}}}
		switch {
		case kind == "chain" && i > 0:
			s.DependsOn = []Dependency{{Service: name(i - 1), Condition: started}}
		case kind == "fan":
			s.DependsOn = []Dependency{{Service: "root", Condition: healthy}}
		}
		p.Services = append(p.Services, s)
	}
	return p
}

// quickHealth turns healthy at the first probe, one interval after start.
func quickHealth(test ...string) *Healthcheck {
	return &Healthcheck{Test: test, Interval: 250 * time.Millisecond, Timeout: time.Second, Retries: 20}
}

// mixed is a web application's stack. Services come in dependency order,
// which the floor's serial mode relies on.
func mixed() Project {
	local := func(host, container int) Port { return Port{HostIP: "127.0.0.1", Host: host, Container: container} }
	env := func(kv ...string) [][2]string {
		var out [][2]string
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, [2]string{kv[i], kv[i+1]})
		}
		return out
	}
	back, front, both := []string{"back"}, []string{"front"}, []string{"back", "front"}
	h := func(svc string) Dependency { return Dependency{Service: svc, Condition: healthy} }
	s := func(svc string) Dependency { return Dependency{Service: svc, Condition: started} }
	return Project{
		Shape:    "mixed",
		Networks: []string{"back", "front"},
		Volumes:  []string{"db-data", "metrics-data", "queue-data", "search-data"},
		Services: []Service{
			{Name: "db", Command: longSleep, Environment: env("POSTGRES_DB", "app", "POSTGRES_USER", "app"),
				Healthcheck: quickHealth("CMD", "test", "-d", "/var/lib/db"),
				Volumes:     []Mount{{"db-data", "/var/lib/db"}}, Networks: back},
			{Name: "cache", Command: longSleep, Environment: env("MAXMEMORY", "64mb"),
				Healthcheck: quickHealth("CMD", "true"), Networks: back},
			{Name: "queue", Command: longSleep, Environment: env("QUEUE_NAME", "jobs"),
				Healthcheck: quickHealth("CMD-SHELL", "test -d /var/lib/queue"),
				Volumes:     []Mount{{"queue-data", "/var/lib/queue"}}, Networks: back},
			{Name: "search", Command: longSleep, Environment: env("HEAP", "256m"),
				Healthcheck: quickHealth("CMD", "true"),
				Volumes:     []Mount{{"search-data", "/data"}}, Networks: back},
			{Name: "api", Command: longSleep, Environment: env("DATABASE_URL", "postgres://app@db/app", "CACHE_URL", "redis://cache"),
				Healthcheck: quickHealth("CMD", "true"),
				Ports:       []Port{local(47180, 8080)}, Networks: both,
				DependsOn: []Dependency{h("db"), h("cache"), h("queue"), s("search")}},
			{Name: "worker", Command: longSleep, Environment: env("QUEUE_URL", "amqp://queue", "CONCURRENCY", "4"),
				Networks: back, DependsOn: []Dependency{h("db"), h("queue")}},
			{Name: "scheduler", Command: longSleep, Environment: env("QUEUE_URL", "amqp://queue"),
				Networks: back, DependsOn: []Dependency{h("db"), h("queue")}},
			{Name: "mailer", Command: longSleep, Environment: env("SMTP_HOST", "localhost"),
				Networks: back, DependsOn: []Dependency{s("queue")}},
			{Name: "metrics", Command: longSleep, Environment: env("RETENTION", "2d"),
				Ports: []Port{local(47190, 9090)}, Volumes: []Mount{{"metrics-data", "/prometheus"}}, Networks: both},
			{Name: "web", Command: longSleep, Environment: env("API_URL", "http://api:8080"),
				Healthcheck: quickHealth("CMD", "true"),
				Ports:       []Port{local(47181, 80)}, Networks: front, DependsOn: []Dependency{h("api")}},
			{Name: "admin", Command: longSleep, Environment: env("API_URL", "http://api:8080"),
				Networks: front, DependsOn: []Dependency{h("api"), s("metrics")}},
			{Name: "proxy", Command: longSleep, Environment: env("UPSTREAM", "web:80"),
				Ports: []Port{local(47182, 80), local(47183, 443)}, Networks: front,
				DependsOn: []Dependency{s("web"), s("admin")}},
		},
	}
}
