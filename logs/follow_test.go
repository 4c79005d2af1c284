package logs

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

const project = "proj"

func named(name string, labels map[string]string) engine.Container {
	return engine.Container{Name: name, Labels: labels}
}

// ticking is a clock that moves 1ms at each reading, so every log entry
// and event of the fake has a time of its own and since/until are exact.
func ticking() func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(time.Millisecond)
		return now
	}
}

// run creates and starts a container of the project in f.
func run(t *testing.T, f *enginetest.Fake, name, service, number string, oneoff bool) {
	t.Helper()
	labels := map[string]string{
		"com.docker.compose.project": project, "com.docker.compose.service": service,
		"com.docker.compose.container-number": number, "com.docker.compose.oneoff": "False",
	}
	if oneoff {
		labels["com.docker.compose.oneoff"] = "True"
	}
	ctx := context.Background()
	id, err := f.CreateContainer(ctx, engine.ContainerSpec{Name: name, Config: &container.Config{Image: "busybox", Labels: labels}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// threeContainers: web-1 and web-2 write to stdout, db-1 to both streams,
// and a one-off run container that ran earlier.
func threeContainers(t *testing.T) *enginetest.Fake {
	f := enginetest.New().WithImage("busybox", "sha256:b").WithClock(ticking())
	run(t, f, "proj-web-1", "web", "1", false)
	run(t, f, "proj-web-2", "web", "2", false)
	run(t, f, "proj-database-1", "database", "1", false)
	run(t, f, "proj-web-run-1a2b", "web", "1", true)
	must(t, f.WriteStdout("proj-web-1", "w1 first\nw1 second\n"))
	must(t, f.WriteStdout("proj-web-2", "w2 only\n"))
	must(t, f.WriteStdout("proj-database-1", "db out\n"))
	must(t, f.WriteStderr("proj-database-1", "db err\n"))
	must(t, f.WriteStdout("proj-web-run-1a2b", "one-off\n"))
	return f
}

// TestFollowOnce: without -f, each selected container's output is shown
// once, lines whole and prefixed, stderr on stderr.
func TestFollowOnce(t *testing.T) {
	tests := []struct {
		name           string
		opts           Options
		stdout, stderr []string // sorted: containers are read at once
	}{
		{"every service", Options{Tail: -1, Prefix: true},
			[]string{"database-1  | db out", "web-1       | w1 first", "web-1       | w1 second", "web-2       | w2 only"},
			[]string{"database-1  | db err"}},
		{"one service", Options{Services: []string{"web"}, Tail: -1, Prefix: true},
			[]string{"web-1  | w1 first", "web-1  | w1 second", "web-2  | w2 only"}, nil},
		{"index", Options{Services: []string{"web"}, Index: 2, Tail: -1, Prefix: true},
			[]string{"web-2  | w2 only"}, nil},
		{"tail", Options{Services: []string{"web"}, Tail: 1, Prefix: true},
			[]string{"web-1  | w1 second", "web-2  | w2 only"}, nil},
		{"no prefix", Options{Services: []string{"database"}, Tail: -1},
			[]string{"db out"}, []string{"db err"}},
		{"timestamps after the prefix", Options{Index: 2, Tail: -1, Prefix: true, Timestamps: true},
			[]string{"web-2  | 2026-01-02T03:04:05.018000000Z w2 only"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := threeContainers(t)
			var stdout, stderr strings.Builder
			if err := Follow(context.Background(), f, project, tt.opts, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if got := sortedLines(stdout.String()); !slices.Equal(got, tt.stdout) {
				t.Errorf("stdout:\n%q\nwant\n%q", got, tt.stdout)
			}
			if got := sortedLines(stderr.String()); !slices.Equal(got, tt.stderr) {
				t.Errorf("stderr:\n%q\nwant\n%q", got, tt.stderr)
			}
		})
	}
}

// TestFollowSinceUntil: since and until select lines by the engine's time.
func TestFollowSinceUntil(t *testing.T) {
	f := threeContainers(t)
	d, _ := f.Container("proj-web-1")
	// The clock ticks once per reading: the first line of web-1 was
	// written 10ms after web-1 was created, the second with it.
	first := d.Created.Add(9 * time.Millisecond)
	stamp := func(t time.Time) string { return t.Format(time.RFC3339Nano) }
	tests := []struct {
		name  string
		since string
		until string
		want  []string
	}{
		{"since the lines were written", stamp(first), "", []string{"w1 first", "w1 second"}},
		{"since after them", stamp(first.Add(time.Hour)), "", nil},
		{"until before them", "", stamp(first.Add(-time.Hour)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			opts := Options{Services: []string{"web"}, Index: 1, Tail: -1, Since: tt.since, Until: tt.until}
			if err := Follow(context.Background(), f, project, opts, &out, &out); err != nil {
				t.Fatal(err)
			}
			if got := sortedLines(out.String()); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func sortedLines(s string) []string {
	if s == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	slices.Sort(lines)
	return lines
}

// watched is an output a test can wait on: each write wakes the waiter.
type watched struct {
	mu    sync.Mutex
	b     strings.Builder
	wrote chan struct{}
}

func newWatched() *watched { return &watched{wrote: make(chan struct{}, 1)} }

func (w *watched) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *watched) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitFor blocks until the output holds s.
func (w *watched) waitFor(t *testing.T, s string) {
	t.Helper()
	timeout := time.After(5 * time.Second)
	for !strings.Contains(w.String(), s) {
		select {
		case <-w.wrote:
		case <-timeout:
			t.Fatalf("output never showed %q; it is:\n%s", s, w.String())
		}
	}
}

// following runs Follow with -f until it returns on its own.
type following struct {
	out  *watched
	done chan error
	mu   sync.Mutex
	exit []string
}

func follow(f *enginetest.Fake, opts Options) *following {
	fl := &following{out: newWatched(), done: make(chan error, 1)}
	opts.Follow, opts.Prefix = true, true
	opts.OnExit = func(c engine.Container, code int) {
		fl.mu.Lock()
		defer fl.mu.Unlock()
		fl.exit = append(fl.exit, c.Name+" "+string(rune('0'+code)))
	}
	go func() { fl.done <- Follow(context.Background(), f, project, opts, fl.out, fl.out) }()
	return fl
}

func (fl *following) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-fl.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatalf("Follow did not return once nothing could run; output:\n%s", fl.out.String())
	}
}

// TestFollowRestart: a container that restarts is followed into its new
// run without its old lines again; a last line without newline shows; and
// Follow returns when the container exits for good, reporting each exit.
func TestFollowRestart(t *testing.T) {
	f := enginetest.New().WithImage("busybox", "sha256:b").WithClock(ticking())
	run(t, f, "proj-web-1", "web", "1", false)
	must(t, f.WriteStdout("proj-web-1", "first run\n"))
	fl := follow(f, Options{Tail: -1})
	fl.out.waitFor(t, "first run")

	must(t, f.Restarting("proj-web-1", 3))
	must(t, f.StartContainer(context.Background(), "proj-web-1"))
	must(t, f.WriteStdout("proj-web-1", "second run\n"))
	fl.out.waitFor(t, "second run")
	must(t, f.WriteStdout("proj-web-1", "no newline"))
	must(t, f.Exit("proj-web-1", 0))
	fl.wait(t)

	want := "web-1  | first run\nweb-1  | second run\nweb-1  | no newline\n"
	if got := fl.out.String(); got != want {
		t.Errorf("output:\n%q\nwant\n%q", got, want)
	}
	if want := []string{"proj-web-1 3", "proj-web-1 0"}; !slices.Equal(fl.exit, want) {
		t.Errorf("exits = %q, want %q", fl.exit, want)
	}
}

// TestFollowJoiners: containers that start while following join the
// stream, a one-off run included, with the padding widened for them; the
// project going down ends Follow.
func TestFollowJoiners(t *testing.T) {
	f := enginetest.New().WithImage("busybox", "sha256:b").WithClock(ticking())
	run(t, f, "proj-web-1", "web", "1", false)
	must(t, f.WriteStdout("proj-web-1", "a\n"))
	fl := follow(f, Options{Tail: -1})
	fl.out.waitFor(t, "web-1  | a")

	run(t, f, "proj-web-2", "web", "2", false)
	must(t, f.WriteStdout("proj-web-2", "b\n"))
	fl.out.waitFor(t, "web-2  | b")
	run(t, f, "proj-web-run-77", "web", "1", true)
	must(t, f.WriteStdout("proj-web-run-77", "c\n"))
	fl.out.waitFor(t, "proj-web-run-77  | c")
	must(t, f.WriteStdout("proj-web-1", "d\n"))
	fl.out.waitFor(t, "web-1            | d")

	for _, c := range f.Containers() {
		must(t, f.RemoveContainer(context.Background(), c.ID, engine.RemoveOptions{Force: true}))
	}
	fl.wait(t)
}

// TestFollowHold: while held, an empty project is not the end: a
// container started later is followed, and Follow returns once it exits
// and the hold is released.
func TestFollowHold(t *testing.T) {
	f := enginetest.New().WithImage("busybox", "sha256:b").WithClock(ticking())
	listed := make(chan struct{})
	var once sync.Once
	f.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "ListContainers" {
			once.Do(func() { close(listed) })
		}
		return nil
	})
	hold := make(chan struct{})
	fl := follow(f, Options{Tail: -1, Hold: hold})
	// Once Follow lists, it has subscribed to events: a start from now on
	// reaches it.
	<-listed
	run(t, f, "proj-job-1", "job", "1", false)
	must(t, f.WriteStdout("proj-job-1", "working\n"))
	fl.out.waitFor(t, "job-1  | working")
	must(t, f.Exit("proj-job-1", 0))
	close(hold)
	fl.wait(t)
}
