package project

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/compose-spec/compose-go/v2/errdefs"
)

// walkClock records when each call starts and returns on a logical clock,
// so order is checked without wall time.
type walkClock struct {
	mu       sync.Mutex
	now      int
	started  map[string][]int // a slice, so a second call shows
	finished map[string]int
	order    []string // start order
}

func newWalkClock() *walkClock {
	return &walkClock{started: map[string][]int{}, finished: map[string]int{}}
}

func (c *walkClock) start(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now++
	c.started[key] = append(c.started[key], c.now)
	c.order = append(c.order, key)
}

func (c *walkClock) finish(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now++
	c.finished[key] = c.now
}

// fn records a call that succeeds at once.
func (c *walkClock) fn(_ context.Context, key string) error {
	c.start(key)
	c.finish(key)
	return nil
}

func (c *walkClock) startOrder() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.order)
}

// checkRanAfterDeps fails unless every key ran exactly once, after every one
// of its dependencies within keys had returned.
func (c *walkClock) checkRanAfterDeps(t *testing.T, keys []string, depsOf func(string) []string) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if n := len(c.started[k]); n != 1 {
			t.Errorf("%s ran %d times, want once", k, n)
			continue
		}
		for _, d := range depsOf(k) {
			if !slices.Contains(keys, d) {
				continue
			}
			if c.started[k][0] < c.finished[d] {
				t.Errorf("%s started at %d, before its dependency %s returned at %d", k, c.started[k][0], d, c.finished[d])
			}
		}
	}
	for k := range c.started {
		if !slices.Contains(keys, k) {
			t.Errorf("%s ran but is not a key", k)
		}
	}
}

// walkDeps turns "a:b,c" specs into a depsOf function.
func walkDeps(specs ...string) func(string) []string {
	deps := map[string][]string{}
	for _, spec := range specs {
		key, list, _ := strings.Cut(spec, ":")
		deps[key] = strings.Split(list, ",")
	}
	return func(k string) []string { return deps[k] }
}

func TestWalkOrder(t *testing.T) {
	tests := []struct {
		name   string
		keys   []string
		deps   func(string) []string
		serial string // start order with limit 1
	}{
		{
			// Names sort against the dependency order, so a walk that
			// ignored dependencies would run app first.
			name:   "chain",
			keys:   []string{"app", "db", "vol"},
			deps:   walkDeps("app:db", "db:vol"),
			serial: "vol db app",
		},
		{
			name:   "diamond",
			keys:   []string{"top", "left", "right", "base"},
			deps:   walkDeps("top:left,right", "left:base", "right:base"),
			serial: "base left right top",
		},
		{
			// b becomes ready while c waits: it must go before c, not after.
			name:   "newly ready keys keep sorted order",
			keys:   []string{"c", "b", "a"},
			deps:   walkDeps("b:a"),
			serial: "a b c",
		},
		{
			name:   "dependencies outside keys are ignored",
			keys:   []string{"web", "api"},
			deps:   walkDeps("web:db,api", "api:db"),
			serial: "api web",
		},
		{
			name:   "duplicate keys and dependencies run once",
			keys:   []string{"b", "a", "b"},
			deps:   walkDeps("b:a,a"),
			serial: "a b",
		},
		{
			name:   "no keys",
			deps:   walkDeps(),
			serial: "",
		},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 2, 3, 0, -1} {
			t.Run(fmt.Sprintf("%s/limit=%d", tt.name, limit), func(t *testing.T) {
				clock := newWalkClock()
				if err := Walk(t.Context(), tt.keys, tt.deps, limit, clock.fn); err != nil {
					t.Fatalf("Walk: %v", err)
				}
				clock.checkRanAfterDeps(t, slices.Compact(slices.Sorted(slices.Values(tt.keys))), tt.deps)
				if limit == 1 {
					if got := strings.Join(clock.startOrder(), " "); got != tt.serial {
						t.Errorf("start order %q, want %q", got, tt.serial)
					}
				}
			})
		}
	}
}

func TestWalkLimit(t *testing.T) {
	keys := []string{"a", "b", "c", "d", "e", "f"}
	for _, limit := range []int{1, 2, 3, 0} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			want := limit
			if limit <= 0 {
				want = len(keys)
			}
			var inFlight, maxInFlight atomic.Int32
			started := make(chan string)
			release := make(chan struct{})
			fn := func(_ context.Context, key string) error {
				n := inFlight.Add(1)
				for {
					m := maxInFlight.Load()
					if n <= m || maxInFlight.CompareAndSwap(m, n) {
						break
					}
				}
				started <- key
				<-release
				inFlight.Add(-1)
				return nil
			}
			done := make(chan error)
			go func() { done <- Walk(t.Context(), keys, nil, limit, fn) }()

			// Hold the first `want` calls so they overlap: the walk must
			// reach the limit. Then trade one release for one start.
			var ran []string
			for range want {
				ran = append(ran, <-started)
			}
			for range len(keys) - want {
				release <- struct{}{}
				ran = append(ran, <-started)
			}
			for range want {
				release <- struct{}{}
			}
			if err := <-done; err != nil {
				t.Fatalf("Walk: %v", err)
			}
			if got := maxInFlight.Load(); int(got) != want {
				t.Errorf("at most %d calls at once, want %d", got, want)
			}
			slices.Sort(ran)
			assertStrings(t, "ran", ran, keys)
		})
	}
}

// TestWalkStartsWhenReady: b needs only a, so it starts once a returns,
// while slow, ready at the same time as a, still runs. slow returns only
// after b has run, so a walk that went level by level would wait on slow
// forever, which go test reports as a timeout.
func TestWalkStartsWhenReady(t *testing.T) {
	for _, limit := range []int{0, 2} {
		t.Run(fmt.Sprintf("limit=%d", limit), func(t *testing.T) {
			bRan := make(chan struct{})
			clock := newWalkClock()
			fn := func(ctx context.Context, key string) error {
				clock.start(key)
				defer clock.finish(key)
				switch key {
				case "b":
					close(bRan)
				case "slow":
					select {
					case <-bRan:
					case <-ctx.Done():
						return ctx.Err()
					}
				}
				return nil
			}
			if err := Walk(t.Context(), []string{"a", "b", "slow"}, walkDeps("b:a"), limit, fn); err != nil {
				t.Fatalf("Walk: %v", err)
			}
			clock.mu.Lock()
			defer clock.mu.Unlock()
			if b, slow := clock.started["b"][0], clock.finished["slow"]; b > slow {
				t.Errorf("b started at %d, after slow returned at %d", b, slow)
			}
		})
	}
}

func TestWalkCancel(t *testing.T) {
	t.Run("mid-walk", func(t *testing.T) {
		// a and x run together; a cancels while x is still running. x must
		// see the cancellation and b, which was waiting on a, must not start.
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		xStarted := make(chan struct{})
		var xSawCancel atomic.Bool
		clock := newWalkClock()
		fn := func(ctx context.Context, key string) error {
			clock.start(key)
			defer clock.finish(key)
			switch key {
			case "a":
				<-xStarted
				cancel()
			case "x":
				close(xStarted)
				<-ctx.Done()
				xSawCancel.Store(true)
			}
			return nil
		}
		err := Walk(ctx, []string{"a", "b", "x"}, walkDeps("b:a"), 0, fn)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
		if !xSawCancel.Load() {
			t.Error("Walk returned before the running call x did")
		}
		started := clock.startOrder()
		slices.Sort(started)
		assertStrings(t, "started", started, []string{"a", "x"})
	})
	t.Run("before the walk", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		clock := newWalkClock()
		err := Walk(ctx, []string{"a", "b"}, nil, 0, clock.fn)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
		assertStrings(t, "started", clock.startOrder(), nil)
	})
}

func TestWalkFirstError(t *testing.T) {
	boom := errors.New("boom")
	t.Run("running calls are cancelled and finish", func(t *testing.T) {
		// a fails while x runs: x's context is cancelled, its error is
		// dropped, and neither b (after a) nor y (after x) starts.
		xStarted := make(chan struct{})
		var xReturned atomic.Bool
		clock := newWalkClock()
		fn := func(ctx context.Context, key string) error {
			clock.start(key)
			defer clock.finish(key)
			switch key {
			case "a":
				<-xStarted
				return boom
			case "x":
				close(xStarted)
				<-ctx.Done()
				xReturned.Store(true)
				return ctx.Err()
			}
			return nil
		}
		err := Walk(t.Context(), []string{"a", "b", "x", "y"}, walkDeps("b:a", "y:x"), 0, fn)
		if !xReturned.Load() {
			t.Error("Walk returned before the running call x did")
		}
		var walkErr *WalkError
		if !errors.As(err, &walkErr) || walkErr.Key != "a" {
			t.Fatalf("got %v, want a *WalkError for a", err)
		}
		if !errors.Is(err, boom) || err.Error() != "a: boom" {
			t.Errorf("got %q, want %q wrapping boom", err, "a: boom")
		}
		started := clock.startOrder()
		slices.Sort(started)
		assertStrings(t, "started", started, []string{"a", "x"})
	})
	t.Run("ready keys waiting for a slot do not start", func(t *testing.T) {
		clock := newWalkClock()
		fn := func(ctx context.Context, key string) error {
			clock.start(key)
			defer clock.finish(key)
			if key == "a" {
				return boom
			}
			return nil
		}
		err := Walk(t.Context(), []string{"a", "c", "d"}, nil, 1, fn)
		if !errors.Is(err, boom) {
			t.Errorf("got %v, want boom", err)
		}
		assertStrings(t, "started", clock.startOrder(), []string{"a"})
	})
}

func TestWalkCycle(t *testing.T) {
	tests := []struct {
		name string
		keys []string
		deps func(string) []string
		want string
	}{
		{"self", []string{"a"}, walkDeps("a:a"), "dependency cycle detected: a -> a"},
		{"two", []string{"a", "b", "c"}, walkDeps("a:b", "b:a"), "dependency cycle detected: a -> b -> a"},
		{"three", []string{"c", "b", "a", "free"}, walkDeps("a:b", "b:c", "c:a"), "dependency cycle detected: a -> b -> c -> a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newWalkClock()
			err := Walk(t.Context(), tt.keys, tt.deps, 0, clock.fn)
			var cycle *CycleError
			if !errors.As(err, &cycle) || err.Error() != tt.want {
				t.Errorf("got %v, want *CycleError %q", err, tt.want)
			}
			assertStrings(t, "started", clock.startOrder(), nil)
		})
	}
	t.Run("through a key outside the walk", func(t *testing.T) {
		clock := newWalkClock()
		if err := Walk(t.Context(), []string{"a", "b"}, walkDeps("a:c", "c:a", "b:a"), 1, clock.fn); err != nil {
			t.Fatalf("Walk: %v", err)
		}
		assertStrings(t, "started", clock.startOrder(), []string{"a", "b"})
	})
}

func TestGraphWalkUpDown(t *testing.T) {
	g, err := NewGraph(loadGraphYAML(t, queryYAML))
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	tests := []struct {
		name   string
		down   bool
		names  []string
		serial string
	}{
		{name: "up", serial: "cache db api lone web worker"},
		{name: "down", down: true, serial: "lone web api cache worker db"},
		{name: "up some", names: []string{"web", "api"}, serial: "api web"},
		{name: "down some", down: true, names: []string{"db", "api", "worker"}, serial: "api worker db"},
		{name: "up a closure", names: g.DependencyClosure("api"), serial: "db api"},
	}
	for _, tt := range tests {
		for _, limit := range []int{1, 0} {
			t.Run(fmt.Sprintf("%s/limit=%d", tt.name, limit), func(t *testing.T) {
				clock := newWalkClock()
				walk, depsOf := g.WalkUp, g.dependencyNames
				if tt.down {
					walk, depsOf = g.WalkDown, g.dependentNames
				}
				if err := walk(t.Context(), tt.names, limit, clock.fn); err != nil {
					t.Fatalf("walk: %v", err)
				}
				keys := tt.names
				if len(keys) == 0 {
					keys = g.Services()
				}
				clock.checkRanAfterDeps(t, keys, depsOf)
				if limit == 1 {
					if got := strings.Join(clock.startOrder(), " "); got != tt.serial {
						t.Errorf("start order %q, want %q", got, tt.serial)
					}
				}
			})
		}
	}
	t.Run("unknown service", func(t *testing.T) {
		clock := newWalkClock()
		err := g.WalkUp(t.Context(), []string{"web", "nope"}, 0, clock.fn)
		if !errors.Is(err, errdefs.ErrNotFound) || err.Error() != `service "nope": not found` {
			t.Errorf("got %v, want service \"nope\": not found", err)
		}
		assertStrings(t, "started", clock.startOrder(), nil)
	})
	t.Run("error names the service", func(t *testing.T) {
		err := g.WalkDown(t.Context(), nil, 0, func(_ context.Context, s string) error {
			if s == "api" {
				return errors.New("stop failed")
			}
			return nil
		})
		var walkErr *WalkError
		if !errors.As(err, &walkErr) || err.Error() != "api: stop failed" {
			t.Errorf("got %v, want api: stop failed", err)
		}
	})
}
