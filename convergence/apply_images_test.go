package convergence

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

// planWithImages plans up as cmd does: images observed next to the rest,
// specs labelled with the ids of the images already there.
func planWithImages(t *testing.T, f *enginetest.Fake, p *types.Project, opts UpOptions) *Plan {
	t.Helper()
	g, err := project.NewGraph(p)
	if err != nil {
		t.Fatal(err)
	}
	o, err := Observe(context.Background(), f, p.Name)
	if err != nil {
		t.Fatal(err)
	}
	if o.Images, err = ObserveImages(context.Background(), f, ImageRefs(p)); err != nil {
		t.Fatal(err)
	}
	opts.Spec = func(s types.ServiceConfig, n int, name string, inherit []engine.Mount) (ContainerSpecResult, error) {
		spec, warnings, err := ContainerSpecFor(p, s, n, SpecOptions{Name: name, APIVersion: "1.44",
			ImageID: o.Images[project.ImageName(p.Name, s)], InheritMounts: inherit})
		return ContainerSpecResult{Spec: spec, Warnings: warnings}, err
	}
	plan, err := PlanUp(p, g, o, opts)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// events records what Apply emits.
type events struct {
	mu  sync.Mutex
	all []progress.Event
}

func (e *events) Emit(ev progress.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.all = append(e.all, ev)
}

func (e *events) lines() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, ev := range e.all {
		if ev.Kind == progress.Image || ev.Parent != "" {
			out = append(out, ev.Parent+">"+ev.ID()+" "+ev.Status.String()+" "+ev.Text)
		}
	}
	return out
}

// TestApplyPullsSharedImageOnce: two services on one missing image pull it
// once, their creates come after it and carry its id in
// com.docker.compose.image, as the present image's container does.
func TestApplyPullsSharedImageOnce(t *testing.T) {
	p, _ := loadProject(t, imagesYAML)
	f := enginetest.New().WithImage("db:1", "sha256:db")
	sink := &events{}
	if err := Apply(context.Background(), f, planWithImages(t, f, p, UpOptions{}), sink, ApplyOptions{Project: p.Name}); err != nil {
		t.Fatal(err)
	}
	if pulls := f.Calls("PullImage"); len(pulls) != 1 || pulls[0].Target != "shared:1" {
		t.Fatalf("pulls = %v, want shared:1 once", pulls)
	}
	pulledID, err := f.ImageID(context.Background(), "shared:1")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"img-api-1": pulledID, "img-web-1": pulledID, "img-db-1": "sha256:db"}
	for _, c := range f.Containers() {
		if c.State != engine.StateRunning || c.Labels[LabelImage] != want[c.Name] {
			t.Errorf("%s: %s, image label %q; want running with %q", c.Name, c.State, c.Labels[LabelImage], want[c.Name])
		}
	}
	calls := f.Calls("PullImage", "CreateContainer")
	pull := slices.IndexFunc(calls, func(c enginetest.Call) bool { return c.Method == "PullImage" })
	for i, c := range calls {
		if c.Method == "CreateContainer" && c.Target != "img-db-1" && i < pull {
			t.Errorf("%s created before its image was pulled: %v", c.Target, calls)
		}
	}
	wantEvents := []string{
		">Image shared:1 working Pulling",
		"Image shared:1>Layer fakelayer working Downloading",
		"Image shared:1>Layer fakelayer done Pull complete",
		">Image shared:1 done Pulled",
	}
	if got := sink.lines(); !slices.Equal(got, wantEvents) {
		t.Errorf("pull events:\n%q\nwant:\n%q", got, wantEvents)
	}
}

// TestApplyPullsWithinParallelLimit: pulls hold a --parallel slot while
// they run, and do run side by side up to the limit.
func TestApplyPullsWithinParallelLimit(t *testing.T) {
	p, _ := loadProject(t, "name: img\nservices:\n  a: {image: a:1}\n  b: {image: b:1}\n  c: {image: c:1}\n  d: {image: d:1}\n")
	f := enginetest.New()
	plan := planWithImages(t, f, p, UpOptions{})
	const limit, pulls = 2, 4
	var inFlight, peak atomic.Int32
	entered, release := make(chan string, pulls), make(chan struct{})
	f.OnCall(func(ctx context.Context, c enginetest.Call) error {
		if c.Method != "PullImage" {
			return nil
		}
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for old := peak.Load(); n > old && !peak.CompareAndSwap(old, n); old = peak.Load() {
		}
		entered <- c.Target
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	done := make(chan error, 1)
	go func() {
		done <- Apply(context.Background(), f, plan, progress.Discard, ApplyOptions{Project: p.Name, Limit: limit})
	}()
	// Let a pull finish only once `limit` are in flight, then one more
	// for each that enters: a bound that let a third in would show in peak.
	for i := 0; i < pulls; i++ {
		receive(t, entered, "a pull to start")
		if i >= limit-1 {
			release <- struct{}{}
		}
	}
	for i := 0; i < limit-1; i++ {
		release <- struct{}{}
	}
	if err := receive(t, done, "apply to finish"); err != nil {
		t.Fatal(err)
	}
	if peak.Load() != limit {
		t.Errorf("peak concurrent pulls = %d, want %d (--parallel %d)", peak.Load(), limit, limit)
	}
	if got := len(f.Containers()); got != pulls {
		t.Errorf("%d containers, want %d", got, pulls)
	}
}

// receive waits for one value; the bound turns a deadlock into a failure.
func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	panic("unreachable")
}

// TestApplyFailedPullChangesNothing: when a pull fails nothing else is
// done, not even for services whose image is there: the project cannot
// run whole, and the engine is left as it was. The error names the image
// and the services that need it.
func TestApplyFailedPullChangesNothing(t *testing.T) {
	p, _ := loadProject(t, imagesYAML)
	f := enginetest.New().WithImage("db:1", "sha256:db")
	plan := planWithImages(t, f, p, UpOptions{})
	f.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "PullImage" {
			return errors.New("pull access denied")
		}
		return nil
	})
	err := Apply(context.Background(), f, plan, progress.Discard, ApplyOptions{Project: p.Name})
	if err == nil || err.Error() != "Image shared:1: for services api, web: pull access denied" {
		t.Fatalf("error = %v, want only the pull's failure, naming both services", err)
	}
	if got := stateOf(f); got != "" {
		t.Errorf("containers:\n%s\nwant none", got)
	}
	if nets := f.Networks(); len(nets) != 0 {
		t.Errorf("networks %v, want none", nets)
	}
}

func TestObserveImages(t *testing.T) {
	f := enginetest.New().WithImage("busybox", "sha256:b")
	got, err := ObserveImages(context.Background(), f, []string{"busybox", "nope:1"})
	if err != nil || len(got) != 1 || got["busybox"] != "sha256:b" {
		t.Errorf("ObserveImages = %v, %v; want only busybox", got, err)
	}
	f.Fail("ImageID", errors.New("engine down"))
	if _, err := ObserveImages(context.Background(), f, []string{"busybox"}); err == nil || !strings.Contains(err.Error(), "looking up image busybox: engine down") {
		t.Errorf("error = %v, want the lookup's failure", err)
	}
}
