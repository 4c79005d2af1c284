package progress

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// plain prints one line per change of a resource's state, for CI logs:
// " Container shop-web-1  Started  0.3s", the time counted from the start
// of the command. It never writes an escape code.
type plain struct {
	mu    sync.Mutex
	out   io.Writer
	opts  Options
	start time.Time
	// last is each resource's last line: a recreate's steps all say
	// "Recreate" while they run, and one such line is enough.
	last map[string]string
}

func newPlain(out io.Writer, opts Options) *plain {
	return &plain{out: out, opts: opts, start: opts.now(), last: map[string]string{}}
}

func (p *plain) Emit(e Event) {
	if e.Parent != "" && e.Kind != Step || e.Status == Working && e.Current > 0 {
		return // layer and byte updates of a pull would flood a log; build steps are few
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	state := e.Status.String() + " " + e.Text
	if p.last[e.ID()] == state && e.Err == nil {
		return
	}
	p.last[e.ID()] = state
	line := plainLine(e)
	if !e.Time.IsZero() && e.Status != Working {
		line += fmt.Sprintf("  %.1fs", e.Time.Sub(p.start).Seconds())
	}
	fmt.Fprintln(p.out, line)
}

// plainLine is an event as plain text: " Container a-db-1  Error: boom".
func plainLine(e Event) string {
	line := fmt.Sprintf(" %s  %s", e.ID(), e.Text)
	if e.Err != nil {
		line += ": " + e.Err.Error()
	}
	return line
}

func (p *plain) Close() error { return nil }

// quiet shows nothing but failures, one line each.
type quiet struct {
	mu  sync.Mutex
	out io.Writer
}

func newQuiet(out io.Writer) *quiet { return &quiet{out: out} }

func (q *quiet) Emit(e Event) {
	if e.Status != Error || e.Parent != "" {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	fmt.Fprintln(q.out, plainLine(e))
}

func (q *quiet) Close() error { return nil }
