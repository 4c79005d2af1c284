package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// Follow writes the output of the project's containers that opts selects
// to stdout and stderr (each container's stdout to stdout, its stderr to
// stderr). Without opts.Follow it returns once every container's output
// so far is written. With it, it returns when every followed container has
// stopped and none will come back: removed, or exited with no restart
// pending (the engine's own restart decision, see comesBack), and
// opts.Hold is closed. It returns ctx.Err() when ctx ends first.
func Follow(ctx context.Context, r engine.Reader, project string, opts Options, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f := &follower{
		r: r, project: project, opts: opts,
		out:     newOutput(stdout, stderr, opts.Prefix, opts.Color),
		ended:   make(chan streamEnd),
		tracked: map[string]*tracked{},
	}
	err := f.run(ctx)
	cancel()
	f.drain()
	if werr := f.out.close(); err == nil {
		err = werr
	}
	return err
}

// follower is Follow's state. Only Follow's goroutine touches it; each
// attached stream runs on a goroutine of its own and reports its end on
// ended.
type follower struct {
	r       engine.Reader
	project string
	opts    Options
	out     *output
	ended   chan streamEnd
	tracked map[string]*tracked // by container id
	active  int                 // streams attached and not ended
	holding bool
}

// tracked is one container Follow shows.
type tracked struct {
	c   engine.Container
	src *source
	// attached: a stream of its output is open.
	attached bool
	// again: it started while attached, so its stream ends with the old
	// run and a new one must begin, from resume as it was at the start:
	// a later death must not move it past the new run's lines.
	again *time.Time
	// waiting: its stream ended but the engine will restart it (or
	// already did and the start event is on its way).
	waiting bool
	// live: it runs, as far as the events said so far. Follow does not
	// end before the death of a live container is seen, so OnExit hears
	// of every run that ends, even when the stream ends first.
	live bool
	// resume is where its next run is read from, by the engine's clock:
	// just after the last line shown, and no earlier than the death of its
	// last run (the engine reports a death once the run's output is all
	// logged), so no line is shown twice, those held back by --tail
	// included. The last line counts too because a stream can outlive its
	// run by a moment and carry the first lines of the next one.
	resume time.Time
}

type streamEnd struct {
	id  string
	err error
	// last is the engine's time of the last line shown, zero if none was.
	last time.Time
}

func (f *follower) run(ctx context.Context) error {
	var events <-chan engine.Event
	var eventErrs <-chan error
	filter := engine.Filter{Labels: []string{convergence.LabelProject + "=" + f.project}}
	if f.opts.Follow {
		// Subscribed before listing: a container that starts in between
		// is in the list or in the events, never in neither.
		events, eventErrs = f.r.Events(ctx, filter)
		f.holding = f.opts.Hold != nil
	}
	cs, err := f.r.ListContainers(ctx, filter)
	if err != nil {
		return fmt.Errorf("listing the containers of project %s: %w", f.project, err)
	}
	f.attachExisting(ctx, cs)
	hold := f.opts.Hold
	for !f.finished() {
		select {
		case e, ok := <-events:
			if !ok {
				return <-eventErrs
			}
			f.event(ctx, e)
		case end := <-f.ended:
			if err := f.streamEnded(ctx, end); err != nil {
				return err
			}
		case <-hold:
			hold, f.holding = nil, false
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// attachExisting shows the containers there already: all names registered
// first, so that every line, the first included, has the final padding.
func (f *follower) attachExisting(ctx context.Context, cs []engine.Container) {
	var picked []*tracked
	for _, c := range cs {
		if f.opts.wants(c, false) {
			t := f.track(c)
			t.live = c.State == engine.StateRunning || c.State == engine.StatePaused || c.State == engine.StateRestarting
			picked = append(picked, t)
		}
	}
	for _, t := range picked {
		f.attach(ctx, t, engine.LogOptions{Tail: f.opts.Tail, Since: f.opts.Since})
	}
}

// finished: nothing is streaming, and with Follow, nothing can stream
// again by itself.
func (f *follower) finished() bool {
	if f.active > 0 {
		return false
	}
	if !f.opts.Follow {
		return true
	}
	if f.holding {
		return false
	}
	for _, t := range f.tracked {
		if t.waiting || t.live {
			return false
		}
	}
	return true
}

func (f *follower) track(c engine.Container) *tracked {
	t := &tracked{c: c, src: f.out.register(displayName(c, f.project), c.Labels[convergence.LabelService])}
	f.tracked[c.ID] = t
	return t
}

// attach opens a stream of t's output on a goroutine of its own.
func (f *follower) attach(ctx context.Context, t *tracked, lo engine.LogOptions) {
	// Following asks for stamps even when they are not shown: the last
	// line's is where the container's next run is read from.
	lo.Follow, lo.Until, lo.Timestamps = f.opts.Follow, f.opts.Until, f.opts.Timestamps || f.opts.Follow
	t.attached, t.waiting = true, false
	f.active++
	stdout := &lineWriter{out: f.out, src: t.src, stamps: lo.Timestamps, keepStamps: f.opts.Timestamps}
	stderr := &lineWriter{out: f.out, src: t.src, stderr: true, stamps: lo.Timestamps, keepStamps: f.opts.Timestamps}
	id := t.c.ID
	go func() {
		err := f.r.StreamLogs(ctx, id, lo, stdout, stderr)
		if err == nil && lo.Follow {
			err = f.catchUp(ctx, id, lo, stdout, stderr)
		}
		err = errors.Join(err, stdout.finish(), stderr.finish())
		f.ended <- streamEnd{id: id, err: err, last: later(stdout.lastStamp(), stderr.lastStamp())}
	}()
}

// catchUp reads once more, without following, what was logged after the
// last line a followed stream showed. The engine (20.10 at least) ends a
// followed stream when the run ends without sending the last line when it
// lacks a newline, though it logged it: that line, a container's last
// words, is read here.
func (f *follower) catchUp(ctx context.Context, id string, lo engine.LogOptions, stdout, stderr *lineWriter) error {
	// What the stream left unended is its end: out with it first, so
	// its stamp counts as seen.
	if err := errors.Join(stdout.finish(), stderr.finish()); err != nil {
		return err
	}
	lo.Follow = false
	if last := later(stdout.lastStamp(), stderr.lastStamp()); !last.IsZero() {
		lo.Since, lo.Tail = unixStamp(last.Add(time.Nanosecond)), -1
	}
	return f.r.StreamLogs(ctx, id, lo, stdout, stderr)
}

// unixStamp is t as the engine's since takes it exactly: seconds and
// nanoseconds since the epoch.
func unixStamp(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// resumeFrom is where the next run of t is followed from: where the last
// one ended, or, for a container never seen to stop, the user's --since.
func (f *follower) resumeFrom(t *tracked) engine.LogOptions {
	if t.resume.IsZero() {
		return engine.LogOptions{Tail: -1, Since: f.opts.Since}
	}
	return engine.LogOptions{Tail: -1, Since: unixStamp(t.resume)}
}

// event updates what is followed from one engine event.
func (f *follower) event(ctx context.Context, e engine.Event) {
	if e.Type != "container" {
		return
	}
	t := f.tracked[e.ID]
	switch {
	case t == nil && e.Action == "start":
		c := engine.Container{ID: e.ID, Name: e.Attributes["name"], Labels: labelsOf(e)}
		if f.opts.wants(c, true) {
			t := f.track(c)
			t.live = true
			f.attach(ctx, t, engine.LogOptions{Tail: -1, Since: f.opts.Since})
		}
	case t == nil:
	case e.Action == "start" && t.attached:
		t.live = true
		at := t.resume
		t.again = &at
	case e.Action == "start":
		t.live = true
		f.attach(ctx, t, f.resumeFrom(t))
	case e.Action == "die":
		t.live = false
		t.resume = later(t.resume, e.Time)
		if f.opts.OnExit != nil {
			code, _ := strconv.Atoi(e.Attributes["exitCode"])
			f.opts.OnExit(t.c, code)
		}
		f.recheck(ctx, t)
	case e.Action == "destroy":
		t.live = false
		f.recheck(ctx, t)
	case e.Action == "stop":
		f.recheck(ctx, t)
	}
}

// recheck asks the engine again about a container whose stream has ended,
// when an event says its fate may have changed (a restart given up, a
// removal).
func (f *follower) recheck(ctx context.Context, t *tracked) {
	if !t.attached && t.waiting {
		t.waiting = f.comesBack(ctx, t)
	}
}

// streamEnded handles the end of one container's stream: a start seen
// meanwhile attaches to the new run, otherwise the container is waited
// for only if the engine will run it again.
func (f *follower) streamEnded(ctx context.Context, end streamEnd) error {
	f.active--
	t := f.tracked[end.id]
	t.attached = false
	if end.err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !f.gone(ctx, t) {
			return end.err
		}
		// Removed under the stream (down, a recreate): its output is
		// over, and the engine refuses to read it any more.
		t.live, t.waiting, t.again = false, false, nil
		return nil
	}
	var after time.Time // just past the last line shown
	if !end.last.IsZero() {
		after = end.last.Add(time.Nanosecond)
	}
	switch {
	case !f.opts.Follow:
	case f.opts.Until != "":
		// The stream stopped at --until: later lines, and runs, are past
		// it, whether the container still runs or not.
		t.live = false
	case t.again != nil:
		t.resume = later(*t.again, after)
		t.again = nil
		f.attach(ctx, t, f.resumeFrom(t))
	default:
		t.resume = later(t.resume, after)
		t.waiting = f.comesBack(ctx, t)
	}
	return nil
}

// comesBack says whether the engine will run the container again without
// anyone asking. The engine decides a restart (policy, retries, whether a
// user stopped it) before it reports the death, and an inspect waits for
// that decision, so "restarting" here is the engine's own answer: berth
// need not re-derive the restart policy. A running container was
// restarted already; its start event is on its way. An exited one stays
// exited unless someone starts it, and then its start event revives it.
func (f *follower) comesBack(ctx context.Context, t *tracked) bool {
	d, err := f.r.InspectContainer(ctx, t.c.ID)
	if err != nil {
		return false // removed, or unreachable: nothing more will come
	}
	if t.resume.IsZero() {
		// Never seen to die (it had stopped before Follow began): the
		// engine's record of its end is all there is. Once a death was
		// seen, events say more exactly which run ended when.
		t.resume = d.FinishedAt
	}
	switch d.State {
	case engine.StateRestarting, engine.StateRunning, engine.StatePaused:
		return true
	}
	return false
}

// gone says whether the container is removed or on its way out, the one
// failure of a stream that is no failure of Follow.
func (f *follower) gone(ctx context.Context, t *tracked) bool {
	d, err := f.r.InspectContainer(ctx, t.c.ID)
	if err != nil {
		return engine.IsNotFound(err)
	}
	return d.State == engine.StateRemoving || d.State == engine.StateDead
}

// drain waits for the streams still open, whose goroutines report on
// f.ended; ctx is cancelled by then, so they end promptly.
func (f *follower) drain() {
	for ; f.active > 0; f.active-- {
		<-f.ended
	}
}

// labelsOf takes a container's labels back out of an event's attributes,
// which the engine mixes with the name, image and such.
func labelsOf(e engine.Event) map[string]string {
	out := map[string]string{}
	for k, v := range e.Attributes {
		if strings.HasPrefix(k, "com.docker.compose.") || !slices.Contains([]string{"name", "image", "exitCode", "signal"}, k) {
			out[k] = v
		}
	}
	return out
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// displayName is how docker compose names a container in its log
// prefix: "<service>-<n>" for a container named by the project's default
// rule, its full name otherwise (container_name, one-off runs).
func displayName(c engine.Container, project string) string {
	l := c.Labels
	standard := project + "-" + l[convergence.LabelService] + "-" + l[convergence.LabelContainerNumber]
	if c.Name == standard {
		return strings.TrimPrefix(c.Name, project+"-")
	}
	return c.Name
}
