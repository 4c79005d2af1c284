package convergence

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

// specsFor builds real container specs for plans applied to the fake.
func specsFor(p *types.Project) SpecFunc {
	return func(s types.ServiceConfig, n int, name string, inherit []engine.Mount) (ContainerSpecResult, error) {
		o := SpecOptions{Name: name, APIVersion: "1.44", InheritMounts: inherit,
			ServiceContainer: func(dep string) string { return ContainerName(p.Name, p.Services[dep], 1) }}
		spec, warnings, err := ContainerSpecFor(p, s, n, o)
		return ContainerSpecResult{Spec: spec, Warnings: warnings}, err
	}
}

func fakeWithImages() *enginetest.Fake {
	return enginetest.New().WithImage("web:1", "sha256:web").WithImage("api:1", "sha256:api").WithImage("db:1", "sha256:db")
}

// healthyOnStart makes the fake report health as soon as a container
// starts, as a quick real healthcheck would. It follows the fake's start
// events: a hook on the StartContainer call would run before the start
// itself, which then resets the health it set.
func healthyOnStart(t *testing.T, f *enginetest.Fake) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	events, _ := f.Events(ctx, engine.Filter{})
	go func() {
		for e := range events {
			if e.Type == "container" && e.Action == "start" {
				f.SetHealth(e.ID, "healthy")
			}
		}
	}()
}

func stateOf(f *enginetest.Fake) string {
	var lines []string
	for _, c := range f.Containers() {
		lines = append(lines, c.Name+" "+string(c.State))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func applyUp(t *testing.T, f *enginetest.Fake, p *types.Project, opts UpOptions) error {
	t.Helper()
	g, err := project.NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Observe(context.Background(), f, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	opts.Spec = specsFor(p)
	plan, err := PlanUp(p, g, o, opts)
	if err != nil {
		t.Fatal(err)
	}
	return Apply(context.Background(), f, plan, progress.Discard, ApplyOptions{Project: p.Name})
}

func TestApplyUpThenUnchanged(t *testing.T) {
	p, _ := loadProject(t, shopYAML)
	f := fakeWithImages()
	healthyOnStart(t, f)
	if err := applyUp(t, f, p, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	want := "shop-api-1 running\nshop-db-1 running\nshop-web-1 running"
	if got := stateOf(f); got != want {
		t.Fatalf("state:\n%s\nwant:\n%s", got, want)
	}
	before := len(f.Calls("CreateContainer"))
	if err := applyUp(t, f, p, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if after := len(f.Calls("CreateContainer")); after != before {
		t.Errorf("an unchanged project created %d more containers", after-before)
	}
}

func TestApplyFailureSkipsOnlyDependents(t *testing.T) {
	p, _ := loadProject(t, strings.Replace(shopYAML, "services:\n", "services:\n  solo: {image: db:1}\n", 1))
	f := fakeWithImages()
	healthyOnStart(t, f)
	f.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "CreateContainer" && strings.Contains(c.Target, "db") && !strings.Contains(c.Target, "solo") {
			return errors.New("disk full")
		}
		return nil
	})
	err := applyUp(t, f, p, UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "Container shop-db-1: disk full") {
		t.Fatalf("error = %v, want the db failure", err)
	}
	if strings.Contains(err.Error(), "skipped") {
		t.Errorf("skipped dependents are reported as failures: %v", err)
	}
	got := stateOf(f)
	if !strings.Contains(got, "shop-solo-1 running") {
		t.Errorf("independent service did not finish:\n%s", got)
	}
	if strings.Contains(got, "shop-api-1 running") || strings.Contains(got, "shop-web-1 running") {
		t.Errorf("dependents of the failed db started:\n%s", got)
	}
}

func TestApplyHonoursParallelLimit(t *testing.T) {
	p, _ := loadProject(t, "name: shop\nservices:\n  a: {image: db:1}\n  b: {image: db:1}\n  c: {image: db:1}\n  d: {image: db:1}\n")
	f := fakeWithImages()
	_, g := loadProject(t, "name: shop\nservices:\n  a: {image: db:1}\n  b: {image: db:1}\n  c: {image: db:1}\n  d: {image: db:1}\n")
	o, _ := Observe(context.Background(), f, "shop")
	plan, err := PlanUp(p, g, o, UpOptions{Spec: specsFor(p)})
	if err != nil {
		t.Fatal(err)
	}
	var inFlight, peak atomic.Int32
	var mu sync.Mutex
	f.OnCall(func(_ context.Context, c enginetest.Call) error {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		mu.Lock()
		if n > peak.Load() {
			peak.Store(n)
		}
		mu.Unlock()
		return nil
	})
	if err := Apply(context.Background(), f, plan, progress.Discard, ApplyOptions{Project: "shop", Limit: 1}); err != nil {
		t.Fatal(err)
	}
	if peak.Load() != 1 {
		t.Errorf("peak concurrent engine calls = %d with --parallel 1", peak.Load())
	}
}

func TestApplyCancelled(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	f := fakeWithImages()
	o, _ := Observe(context.Background(), f, "shop")
	plan, err := PlanUp(p, g, o, UpOptions{Spec: specsFor(p)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "CreateContainer" {
			cancel()
		}
		return nil
	})
	err = Apply(ctx, f, plan, progress.Discard, ApplyOptions{Project: "shop", Limit: 1})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
	// With one engine call at a time, the create that saw the interrupt
	// runs to its end (an engine call cut off half-way leaves the engine
	// working on it after berth is gone); the network (and perhaps the
	// volume) was done before it, and nothing else starts.
	var interrupted *InterruptedError
	if !errors.As(err, &interrupted) || interrupted.Done < 2 || interrupted.CutShort != 0 || len(interrupted.Failures) != 0 ||
		interrupted.Done+interrupted.NotStarted != 9 {
		t.Errorf("error = %#v, want the network and the create in flight done, the rest not started", err)
	}
	cs := f.Containers()
	if len(cs) != 1 || cs[0].State != engine.StateCreated {
		t.Errorf("containers after the interrupt = %v, want the one create that was in flight, not started", cs)
	}
}

// TestApplyCancelledKeepsEarlierFailures: a step that failed on its own
// before Ctrl-C is still reported as a failure, next to the counts.
func TestApplyCancelledKeepsEarlierFailures(t *testing.T) {
	p, g := loadProject(t, shopYAML)
	f := fakeWithImages().Fail("CreateVolume", errors.New("disk full"))
	o, _ := Observe(context.Background(), f, "shop")
	plan, err := PlanUp(p, g, o, UpOptions{Spec: specsFor(p)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	// The interrupt comes as the volume's failure is shown, so after it
	// was recorded; what else ran by then depends on scheduling.
	sink := progress.SinkFunc(func(e progress.Event) {
		if e.Status == progress.Error && e.Kind == progress.Volume {
			cancel()
		}
	})
	err = Apply(ctx, f, plan, sink, ApplyOptions{Project: "shop", Limit: 1})
	var interrupted *InterruptedError
	if !errors.As(err, &interrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want an InterruptedError", err)
	}
	if len(interrupted.Failures) != 1 || !strings.Contains(err.Error(), "failed before the interrupt:\nVolume shop_data: disk full") {
		t.Errorf("the volume's own failure is lost: %v", err)
	}
	const steps = 9 // network, volume, three creates, three starts, a wait
	if sum := interrupted.Done + interrupted.CutShort + interrupted.NotStarted + len(interrupted.Failures); sum != steps || interrupted.CutShort > 1 {
		t.Errorf("%+v: want every one of %d steps counted once, at most one cut short (--parallel 1)", interrupted, steps)
	}
}
