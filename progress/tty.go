package progress

import (
	"io"
	"strings"
	"sync"
	"time"
)

// tty is the live view: one line per resource, in the order they first
// appear, redrawn in place at a bounded rate by its own goroutine, so the
// work only ever takes a short lock to record an event. At Close the last
// frame stays on screen as the summary, followed by the errors.
type tty struct {
	out  io.Writer
	opts Options
	pal  palette

	mu    sync.Mutex
	lines []*line // first-seen order
	byID  map[string]*line
	// drawn is how many rows the previous frame wrote: the next one moves
	// the cursor back over them and writes over them.
	drawn int
	dirty bool // an event came since the last frame

	stop      chan struct{}
	stopped   chan struct{}
	closeOnce sync.Once
}

// line is what the view knows of one resource.
type line struct {
	id     string
	status Status
	text   string
	err    error
	start  time.Time // its first event
	end    time.Time // its last finishing event; zero while working
	layers map[string]*layer
	// step is the build step running last, shown after the text while
	// the image builds.
	step string
}

// layer is one layer of a pull, folded into its image's line.
type layer struct {
	current, total int64
}

func newTTY(out io.Writer, opts Options) *tty {
	return &tty{out: out, opts: opts, pal: newPalette(opts.Color), byID: map[string]*line{}}
}

// startTTY is newTTY with its drawing goroutine running.
func startTTY(out io.Writer, opts Options) *tty {
	t := newTTY(out, opts)
	interval := opts.Interval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	t.stop, t.stopped = make(chan struct{}), make(chan struct{})
	go t.loop(interval)
	return t
}

func (t *tty) loop(interval time.Duration) {
	defer close(t.stopped)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
			t.draw(false)
		}
	}
}

func (t *tty) Emit(e Event) {
	at := e.Time
	if at.IsZero() {
		at = t.opts.now()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.dirty = true
	if e.Parent != "" && e.Kind == Step {
		t.addStep(e, at)
		return
	}
	if e.Parent != "" {
		t.addLayer(e, at)
		return
	}
	l := t.line(e.ID(), at)
	l.status, l.text, l.err = e.Status, e.Text, e.Err
	l.end = time.Time{}
	if e.Status.finished() {
		l.end = at
	}
}

// line finds the line of id, adding it at the bottom when new.
func (t *tty) line(id string, at time.Time) *line {
	l := t.byID[id]
	if l == nil {
		l = &line{id: id, status: Working, start: at}
		t.byID[id] = l
		t.lines = append(t.lines, l)
	}
	return l
}

// addStep shows a build step on its image's line while it runs. Its
// name starts with the service's, which the image's line says already.
func (t *tty) addStep(e Event, at time.Time) {
	l := t.line(e.Parent, at)
	if e.Status == Working {
		_, l.step, _ = strings.Cut(e.Name, " ")
	}
}

// addLayer folds a layer's bytes into its image's line. A finished layer
// counts as fully read: its last messages carry no byte counts.
func (t *tty) addLayer(e Event, at time.Time) {
	l := t.line(e.Parent, at)
	if l.layers == nil {
		l.layers = map[string]*layer{}
	}
	ly := l.layers[e.Name]
	if ly == nil {
		ly = &layer{}
		l.layers[e.Name] = ly
	}
	if e.Total > 0 {
		ly.current, ly.total = e.Current, e.Total
	}
	if e.Status == Done {
		ly.current = ly.total
	}
}

// draw writes one frame, in one Write so the terminal never shows half of
// it. The frame is built under the lock and written outside it: a slow
// terminal then holds up only this goroutine, never the work.
func (t *tty) draw(final bool) {
	t.mu.Lock()
	if !final && !t.dirty && !t.anyWorking() {
		t.mu.Unlock()
		return // nothing moves: spare the terminal
	}
	frame := t.frame(t.opts.now(), final)
	t.dirty = false
	t.mu.Unlock()
	if frame != "" {
		_, _ = io.WriteString(t.out, frame)
	}
}

func (t *tty) anyWorking() bool {
	for _, l := range t.lines {
		if l.status == Working {
			return true
		}
	}
	return false
}

// Close stops the redraws and leaves the final frame, then the errors.
func (t *tty) Close() error {
	t.closeOnce.Do(func() {
		if t.stop != nil {
			close(t.stop)
			<-t.stopped
		}
		t.draw(true)
	})
	return nil
}
