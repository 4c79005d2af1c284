package stats

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// brief is a format that shows what the tests check, one row a line.
const brief = "{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}"

func idOf(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

func projectContainer(project, service string, n int, state engine.ContainerState) engine.Container {
	name := project + "-" + service + "-" + string(rune('0'+n))
	return engine.Container{ID: idOf(name), Name: name, State: state, Image: "busybox", Labels: map[string]string{
		convergence.LabelProject: project, convergence.LabelService: service,
	}}
}

// busy is a reading of 40% CPU, 500B of 2kB memory and 5 processes.
var busy = engine.StatsSample{
	CPU:    engine.CPUSample{Total: 300, System: 2000, Online: 2},
	PreCPU: engine.CPUSample{Total: 100, System: 1000},
	Memory: engine.MemorySample{Usage: 600, Limit: 2000, InactiveFile: 100},
	PIDs:   5,
}

// shop is a project with two running containers, measured, a stopped
// one, and a container of another project.
func shop(t *testing.T) *enginetest.Fake {
	t.Helper()
	f := enginetest.New().WithImage("busybox", "sha256:b").WithContainers(
		projectContainer("shop", "web", 1, engine.StateRunning),
		projectContainer("shop", "db", 1, engine.StatePaused),
		projectContainer("shop", "old", 1, engine.StateExited),
		projectContainer("other", "web", 1, engine.StateRunning),
	)
	for _, name := range []string{"shop-web-1", "shop-db-1", "other-web-1"} {
		if err := f.FeedStats(name, busy); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func mustFormat(t *testing.T, s string) *Format {
	t.Helper()
	f, err := ParseFormat(s)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestRunOnce: one table of the project's containers that run (paused
// ones included), with -a the stopped ones too, with a service only its
// own; a container whose reading fails shows "--"; no container, no
// table.
func TestRunOnce(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		fail string // the container whose reading fails
		want string
	}{
		{"running only", Options{Project: "shop"}, "",
			"shop-db-1 40.00% 500B / 1.953KiB 5\nshop-web-1 40.00% 500B / 1.953KiB 5\n"},
		{"all", Options{Project: "shop", All: true}, "",
			"shop-db-1 40.00% 500B / 1.953KiB 5\nshop-old-1 0.00% 0B / 0B 0\nshop-web-1 40.00% 500B / 1.953KiB 5\n"},
		{"one service", Options{Project: "shop", Service: "web"}, "", "shop-web-1 40.00% 500B / 1.953KiB 5\n"},
		{"a reading fails", Options{Project: "shop"}, idOf("shop-db-1"),
			"shop-db-1 -- -- / -- --\nshop-web-1 40.00% 500B / 1.953KiB 5\n"},
		{"no containers", Options{Project: "none"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := shop(t).OnCall(func(_ context.Context, c enginetest.Call) error {
				if c.Method == "ContainerStats" && c.Target == tt.fail {
					return errors.New("engine fell over")
				}
				return nil
			})
			opts := tt.opts
			opts.NoStream, opts.Format = true, mustFormat(t, brief)
			var b strings.Builder
			if err := Run(context.Background(), f, opts, &b); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("got\n%s\nwant\n%s", b.String(), tt.want)
			}
			if n := len(f.Calls("Events")); n != 0 {
				t.Errorf("one table subscribed to events %d times", n)
			}
		})
	}
}

// TestRunOnceListFails: a failed list is an error naming the project.
func TestRunOnceListFails(t *testing.T) {
	f := shop(t).Fail("ListContainers", errors.New("engine fell over"))
	err := Run(context.Background(), f, Options{Project: "shop", NoStream: true}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "project shop") || !strings.Contains(err.Error(), "engine fell over") {
		t.Errorf("Run = %v, want the list's error with the project", err)
	}
}

// frames collects what Run writes, one Write per table.
type frames struct {
	mu   sync.Mutex
	all  []string
	last string
}

func (w *frames) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.last = string(p)
	w.all = append(w.all, w.last)
	return len(p), nil
}

func (w *frames) tables() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.all...)
}

func (w *frames) latest() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// live runs Run on f in the background, with ticks the test gives.
type live struct {
	ticks  chan time.Time
	out    *frames
	done   chan error
	cancel context.CancelFunc
}

func startLive(t *testing.T, f *enginetest.Fake, opts Options) *live {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	l := &live{ticks: make(chan time.Time), out: &frames{}, done: make(chan error, 1), cancel: cancel}
	opts.ticks = l.ticks
	if opts.Timeout == 0 {
		// The fake gives readings only when fed: figures must not expire
		// while a test waits.
		opts.Timeout = time.Hour
	}
	go func() { l.done <- Run(ctx, f, opts, l.out) }()
	t.Cleanup(func() { cancel(); <-l.done })
	return l
}

// waitFor ticks until the latest table satisfies ok. Two ticks in a row:
// the second is taken only once the first one's table is written, as
// one goroutine takes both.
func (l *live) waitFor(t *testing.T, what string, ok func(table string) bool) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l.ticks <- time.Now()
		l.ticks <- time.Now()
		if table := l.out.latest(); ok(table) {
			return table
		}
		if time.Now().After(deadline) {
			t.Fatalf("no table %s; the last:\n%s", what, l.out.latest())
		}
	}
}

// TestRunStream: tables follow the project as it changes: a container
// that starts is added, one that stops is dropped, a new reading shows
// in the next table; tables follow one another without escape codes,
// and ctx ends the run with its error.
func TestRunStream(t *testing.T) {
	f := shop(t).WithContainers(projectContainer("shop", "web", 2, engine.StateCreated))
	l := startLive(t, f, Options{Project: "shop", Format: mustFormat(t, "table "+brief)})
	l.waitFor(t, "of the running containers", func(s string) bool {
		return s == "NAME CPU % MEM USAGE / LIMIT PIDS\nshop-db-1 40.00% 500B / 1.953KiB 5\nshop-web-1 40.00% 500B / 1.953KiB 5\n"
	})
	if err := f.StartContainer(context.Background(), idOf("shop-web-2")); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "with the started container", func(s string) bool { return strings.Contains(s, "shop-web-2 -- -- / -- --\n") })
	if err := f.FeedStats("shop-web-2", engine.StatsSample{PIDs: 9}); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "with its reading", func(s string) bool { return strings.Contains(s, "shop-web-2 0.00% 0B / 0B 9\n") })
	if err := f.StopContainer(context.Background(), idOf("shop-web-1"), nil); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "without the stopped container", func(s string) bool { return !strings.Contains(s, "shop-web-1") })
	for _, table := range l.out.tables() {
		if strings.Contains(table, "\x1b") {
			t.Fatalf("a table off a terminal has escape codes: %q", table)
		}
	}
	l.cancel()
	if err := <-l.done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run ended with %v, want context.Canceled", err)
	}
	l.done <- nil // for the cleanup
}

// TestRunStreamAll: with All, a stopped container stays, with zero
// figures, and is dropped only once removed.
func TestRunStreamAll(t *testing.T) {
	f := shop(t)
	l := startLive(t, f, Options{Project: "shop", All: true, Format: mustFormat(t, brief)})
	l.waitFor(t, "with the stopped container", func(s string) bool { return strings.Contains(s, "shop-old-1 0.00% 0B / 0B 0\n") })
	if err := f.StopContainer(context.Background(), idOf("shop-web-1"), nil); err != nil {
		t.Fatal(err)
	}
	if err := f.FeedStats("shop-web-1", engine.StatsSample{}); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "with web stopped", func(s string) bool { return strings.Contains(s, "shop-web-1 0.00% 0B / 0B 0\n") })
	if err := f.RemoveContainer(context.Background(), idOf("shop-web-1"), engine.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "without the removed container", func(s string) bool {
		return s == "shop-db-1 40.00% 500B / 1.953KiB 5\nshop-old-1 0.00% 0B / 0B 0\n"
	})
}

// TestRunStreamLive: on a terminal each table is drawn over the last,
// fitted to the screen's width.
func TestRunStreamLive(t *testing.T) {
	f := shop(t)
	width := func() int { return 20 }
	l := startLive(t, f, Options{Project: "shop", Live: true, Width: width, Format: mustFormat(t, brief)})
	l.waitFor(t, "drawn in place", func(s string) bool {
		return s == "\x1b[H\x1b[2Kshop-db-1 40.00% 50\n\x1b[2Kshop-web-1 40.00% 5\n\x1b[J"
	})
}

// TestRunStreamEventsFail: the events stream failing ends Run with its
// error.
func TestRunStreamEventsFail(t *testing.T) {
	f := shop(t).Fail("Events", errors.New("engine fell over"))
	err := Run(context.Background(), f, Options{Project: "shop", ticks: make(chan time.Time)}, &frames{})
	if err == nil || !strings.Contains(err.Error(), "engine fell over") {
		t.Errorf("Run = %v, want the events' error", err)
	}
}

// TestExpire: a container without a reading for the timeout shows "--"
// from then on, until its next reading; one read in time keeps its
// figures.
func TestExpire(t *testing.T) {
	now := time.Now()
	m := &monitor{tracked: map[string]*tracked{
		"old":   {row: Row{ID: "old", Valid: true, Usage: Usage{PIDs: 1}}, since: now.Add(-3 * time.Second)},
		"fresh": {row: Row{ID: "fresh", Valid: true, Usage: Usage{PIDs: 2}}, since: now.Add(-time.Second)},
	}}
	m.expire(now, 2*time.Second)
	if r := m.tracked["old"].row; r.Valid || r.Usage != (Usage{}) || !m.tracked["old"].settled {
		t.Errorf("late container: %+v, want no figures", r)
	}
	if r := m.tracked["fresh"].row; !r.Valid || r.Usage.PIDs != 2 {
		t.Errorf("container read in time: %+v, want its figures", r)
	}
	m.apply(update{t: m.tracked["old"], sample: engine.StatsSample{PIDs: 7}})
	if r := m.tracked["old"].row; !r.Valid || r.Usage.PIDs != 7 {
		t.Errorf("late container read again: %+v, want its new figures", r)
	}
}
