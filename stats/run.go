package stats

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// Defaults of Options' timings, the docker CLI's: a table every half
// second, and a container without a reading for two seconds shows "--".
const (
	defaultInterval = 500 * time.Millisecond
	defaultTimeout  = 2 * time.Second
	// onceTimeout bounds the wait for a single reading (NoStream), which
	// the engine takes a second or two to make: it measures twice, a
	// second apart, for the CPU rate.
	onceTimeout = 5 * time.Second
)

// Options says whose use Run shows, and how.
type Options struct {
	// Project is the project whose containers are shown; Service, when
	// set, limits them to that service's.
	Project, Service string
	// All shows stopped containers too; without it, only those that run
	// (paused and restarting ones included, as docker lists them).
	All bool
	// NoStream prints one table and returns.
	NoStream bool
	// NoTrunc shows full container ids.
	NoTrunc bool
	// Format renders the tables; nil is docker's default table.
	Format *Format
	// Live redraws each table over the last with escape codes, fitted to
	// Width and Height (nil or 0: not known), for a terminal. Without it
	// each table follows the last and no escape code is written.
	Live          bool
	Width, Height func() int
	// Interval is how often a table is written (0: half a second), and
	// Timeout how long a container may go without a reading before its
	// figures show as "--" (0: two seconds).
	Interval, Timeout time.Duration

	// ticks, when not nil, replaces the Interval ticker: tests decide
	// when a table is written.
	ticks <-chan time.Time
}

// Run shows the resource use of the project's containers on out until
// ctx ends (it then returns ctx.Err()), or with NoStream once.
func Run(ctx context.Context, r engine.Reader, opts Options, out io.Writer) error {
	if opts.Format == nil {
		opts.Format, _ = ParseFormat("")
	}
	ctx, cancel := context.WithCancel(ctx)
	m := &monitor{r: r, opts: opts, out: out, updates: make(chan update), tracked: map[string]*tracked{}}
	defer m.stop(cancel)
	filter := engine.Filter{Labels: []string{convergence.LabelProject + "=" + opts.Project}}
	if opts.Service != "" {
		filter.Labels = append(filter.Labels, convergence.LabelService+"="+opts.Service)
	}
	var events <-chan engine.Event
	var eventErrs <-chan error
	if !opts.NoStream {
		// Subscribed before listing: a container that starts in between
		// is in the list or in the events, never in neither.
		events, eventErrs = r.Events(ctx, filter)
	}
	cs, err := r.ListContainers(ctx, filter)
	if err != nil {
		return fmt.Errorf("listing the containers of project %s: %w", opts.Project, err)
	}
	for _, c := range cs {
		if opts.All || c.State == engine.StateRunning || c.State == engine.StatePaused || c.State == engine.StateRestarting {
			m.track(ctx, c.ID, c.Name)
		}
	}
	if opts.NoStream {
		return m.once(ctx)
	}
	return m.stream(ctx, events, eventErrs)
}

// monitor is Run's state. Only Run's goroutine touches it; each
// container's readings come from a goroutine of its own, on updates.
type monitor struct {
	r       engine.Reader
	opts    Options
	out     io.Writer
	updates chan update
	tracked map[string]*tracked // by container id
	running int                 // reading goroutines not yet ended
}

// tracked is one container shown.
type tracked struct {
	row    Row
	cancel context.CancelFunc
	// since is when its last reading came, or when it was first tracked.
	since time.Time
	// settled: it had its first reading, or gave up waiting for one; the
	// first table waits until every container is settled, so it does not
	// show "--" for containers about to be measured.
	settled bool
	// ended: its stream is over; no more readings will come from it.
	ended bool
}

// update is one reading of a container, or (ended) the end of its stream.
type update struct {
	t      *tracked
	sample engine.StatsSample
	ended  bool
}

// track starts reading a container's use, unless it is read already. A
// container whose stream ended (failed) is read anew: it may have
// started again.
func (m *monitor) track(ctx context.Context, id, name string) {
	if t, ok := m.tracked[id]; ok && !t.ended {
		return
	}
	m.untrack(id)
	cctx, cancel := context.WithCancel(ctx)
	t := &tracked{row: Row{ID: id, Name: name}, cancel: cancel, since: time.Now()}
	m.tracked[id] = t
	m.running++
	go m.read(cctx, t)
}

// read sends each reading of t's container on m.updates, then its end.
// Every send gives way to ctx, so no reader is left blocked once Run has
// stopped listening.
func (m *monitor) read(ctx context.Context, t *tracked) {
	send := func(u update) error {
		select {
		case m.updates <- u:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Why a stream ended does not show: its row shows "--", as docker
	// shows it. A container gone is dropped by its destroy event.
	err := m.r.ContainerStats(ctx, t.row.ID, !m.opts.NoStream, func(s engine.StatsSample) error {
		return send(update{t: t, sample: s})
	})
	// A single reading ends its call by design; only a failed one, or the
	// end of a stream, leaves the row without figures.
	if err != nil || !m.opts.NoStream {
		_ = send(update{t: t, ended: true})
	}
	// Always said, even when Run no longer listens: stop counts on it.
	m.updates <- update{}
}

// untrack stops reading a container and drops its row.
func (m *monitor) untrack(id string) {
	if t, ok := m.tracked[id]; ok {
		t.cancel()
		delete(m.tracked, id)
	}
}

// stop ends every reader and waits for them.
func (m *monitor) stop(cancel context.CancelFunc) {
	cancel()
	for m.running > 0 {
		if u := <-m.updates; u.t == nil {
			m.running--
		}
	}
}

// apply takes in one update, unless it is from a reader of a container
// no longer tracked.
func (m *monitor) apply(u update) {
	if u.t == nil {
		m.running--
		return
	}
	if m.tracked[u.t.row.ID] != u.t {
		return
	}
	t := u.t
	t.settled = true
	if u.ended {
		t.row.Valid, t.row.Usage, t.ended = false, Usage{}, true
		return
	}
	t.row.Valid, t.row.Usage, t.since = true, Compute(u.sample), time.Now()
	if u.sample.Name != "" {
		t.row.Name = u.sample.Name
	}
}

// expire blanks the rows of containers that had no reading within
// timeout, as docker does, rather than show stale figures as current.
func (m *monitor) expire(now time.Time, timeout time.Duration) {
	for _, t := range m.tracked {
		if now.Sub(t.since) >= timeout {
			t.row.Valid, t.row.Usage, t.settled, t.since = false, Usage{}, true, now
		}
	}
}

// giveUp blanks the rows of containers still without a first reading.
func (m *monitor) giveUp() {
	for _, t := range m.tracked {
		if !t.settled {
			t.row.Valid, t.row.Usage, t.settled = false, Usage{}, true
		}
	}
}

func (m *monitor) settled() bool {
	for _, t := range m.tracked {
		if !t.settled {
			return false
		}
	}
	return true
}

// rows is the table's content: by name, then id, so a row keeps its
// place from one table to the next.
func (m *monitor) rows() []Row {
	rows := make([]Row, 0, len(m.tracked))
	for _, t := range m.tracked {
		rows = append(rows, t.row)
	}
	slices.SortFunc(rows, func(a, b Row) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) })
	return rows
}
