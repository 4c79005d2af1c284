package bench_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/bench"
	"github.com/berth-compose/berth/project"
)

// TestShapesLoad checks that each runtime shape loads through berth's own
// loader as the benchmark means it: the right services, the right depends_on
// edges, and BENCH_GEN on the last service alone.
func TestShapesLoad(t *testing.T) {
	cases := []struct {
		shape    string
		services int
		edges    []string // every edge of the graph, sorted
	}{
		{"wide-3", 3, nil},
		{"chain-3", 3, []string{
			"svc-001 -> svc-000 depends_on service_started",
			"svc-002 -> svc-001 depends_on service_started",
		}},
		{"fan-2", 3, []string{
			"svc-000 -> root depends_on service_healthy",
			"svc-001 -> root depends_on service_healthy",
		}},
		{"mixed", 12, []string{
			"admin -> api depends_on service_healthy",
			"admin -> metrics depends_on service_started",
			"api -> cache depends_on service_healthy",
			"api -> db depends_on service_healthy",
			"api -> queue depends_on service_healthy",
			"api -> search depends_on service_started",
			"mailer -> queue depends_on service_started",
			"proxy -> admin depends_on service_started",
			"proxy -> web depends_on service_started",
			"scheduler -> db depends_on service_healthy",
			"scheduler -> queue depends_on service_healthy",
			"web -> api depends_on service_healthy",
			"worker -> db depends_on service_healthy",
			"worker -> queue depends_on service_healthy",
		}},
	}
	for _, c := range cases {
		t.Run(c.shape, func(t *testing.T) {
			kind, n, err := bench.ParseShape(c.shape)
			if err != nil {
				t.Fatal(err)
			}
			shape, err := bench.Shape(kind, n)
			if err != nil {
				t.Fatal(err)
			}
			files, err := bench.WriteShape(t.TempDir(), shape)
			if err != nil {
				t.Fatal(err)
			}
			p, err := project.Load(t.Context(), project.LoadOptions{
				ConfigPaths: files, Environ: []string{bench.ChangeVar + "=7"},
			})
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != shape.Name() {
				t.Errorf("project name = %q, want %q from .env", p.Name, shape.Name())
			}
			if len(p.Services) != c.services {
				t.Fatalf("loaded %d services, want %d", len(p.Services), c.services)
			}
			g, err := project.NewGraph(p)
			if err != nil {
				t.Fatal(err)
			}
			var edges []string
			for _, e := range g.Edges() {
				edges = append(edges, e.String())
			}
			slices.Sort(edges)
			if !slices.Equal(edges, c.edges) {
				t.Errorf("edges:\n%s\nwant:\n%s", strings.Join(edges, "\n"), strings.Join(c.edges, "\n"))
			}
			last := shape.Services[len(shape.Services)-1].Name
			for name, svc := range p.Services {
				if svc.Init == nil || !*svc.Init || svc.Image != bench.Image {
					t.Errorf("%s: image %q, init %v; want %s with init: true", name, svc.Image, svc.Init, bench.Image)
				}
				got, has := svc.Environment[bench.ChangeVar]
				switch {
				case name == last && (!has || got == nil || *got != "7"):
					t.Errorf("%s: %s = %v, want 7 from the environment", name, bench.ChangeVar, got)
				case name != last && has:
					t.Errorf("%s: has %s; only %s should, so a change recreates one service", name, bench.ChangeVar, last)
				}
			}
		})
	}
}

// TestFanRootTurnsHealthyLate pins the health timing the fan benchmark
// measures against: probes every 250ms (no start_interval before API 1.44),
// enough retries to outlast the one-second sleep.
func TestFanRootTurnsHealthyLate(t *testing.T) {
	shape, err := bench.Shape("fan", 5)
	if err != nil {
		t.Fatal(err)
	}
	root := shape.Services[0]
	if root.Name != "root" || root.Healthcheck == nil {
		t.Fatalf("first fan service = %+v, want root with a healthcheck", root)
	}
	h := root.Healthcheck
	if h.Interval != 250*time.Millisecond || time.Duration(h.Retries)*h.Interval < 2*time.Second {
		t.Errorf("root healthcheck = %+v, want 250ms probes retried for well over the 1s it takes", h)
	}
	if got := strings.Join(root.Command, " "); !strings.Contains(got, "sleep 1; touch /tmp/ok") {
		t.Errorf("root command = %q, want it to turn healthy after a second", got)
	}
}

func TestShapeComposeIsDeterministic(t *testing.T) {
	for _, kind := range bench.ShapeNames {
		n := 20
		if kind == "mixed" {
			n = 0
		}
		a, errA := bench.Shape(kind, n)
		b, errB := bench.Shape(kind, n)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if a.Compose() != b.Compose() {
			t.Errorf("%s: two renderings differ", kind)
		}
		if strings.Contains(a.Compose(), "\nname:") {
			t.Errorf("%s: has a top-level name, which docker-compose v1 rejects", kind)
		}
	}
}

func TestParseShape(t *testing.T) {
	for _, c := range []struct {
		in   string
		kind string
		n    int
		err  bool
	}{
		{in: "wide-50", kind: "wide", n: 50},
		{in: "mixed", kind: "mixed"},
		{in: "chain-0", err: true},
		{in: "fan-x", err: true},
	} {
		kind, n, err := bench.ParseShape(c.in)
		if got := fmt.Sprint(kind, n, err != nil); got != fmt.Sprint(c.kind, c.n, c.err) {
			t.Errorf("ParseShape(%q) = %s, want %s", c.in, got, fmt.Sprint(c.kind, c.n, c.err))
		}
	}
	for _, bad := range []struct {
		kind string
		n    int
	}{{"wide", 0}, {"mixed", 5}, {"ring", 5}} {
		if _, err := bench.Shape(bad.kind, bad.n); err == nil {
			t.Errorf("Shape(%q, %d): no error", bad.kind, bad.n)
		}
	}
}
