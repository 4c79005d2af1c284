package progress

import (
	"fmt"
	"io"
	"time"
)

// Modes accepted by New, as for docker compose's --progress.
const (
	ModeAuto  = "auto"
	ModeTTY   = "tty"
	ModePlain = "plain"
	ModeJSON  = "json"
	ModeQuiet = "quiet"
)

// Renderer is a Sink that writes to a stream. Close flushes and prints the
// summary; nothing is written after it.
type Renderer interface {
	Sink
	Close() error
}

// Options tell a renderer about the stream it writes to. The command fills
// them in: the renderers never look at the process's terminal themselves,
// so tests can give them any width and clock.
type Options struct {
	TTY   bool // out is a terminal: ModeAuto picks the live view
	Color bool // the live view may colour its lines
	// Width returns the terminal's columns, read for each frame so the
	// view follows resizes; nil or a result below 1 means 80.
	Width func() int
	// Height returns the terminal's rows: a live frame taller than the
	// screen could not be redrawn in place, so only its last rows are
	// drawn until the final frame. nil or below 1: no bound.
	Height func() int
	// Now is the clock for events without a time, for elapsed times and
	// the spinner; nil means time.Now.
	Now func() time.Time
	// Interval is the time between two live frames; 0 means 100ms.
	Interval time.Duration
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// New returns the renderer for mode on out. ModeAuto is the live view on a
// terminal (opts.TTY), plain lines elsewhere.
func New(mode string, out io.Writer, opts Options) (Renderer, error) {
	switch mode {
	case "", ModeAuto:
		if opts.TTY {
			return startTTY(out, opts), nil
		}
		return newPlain(out, opts), nil
	case ModeTTY:
		return startTTY(out, opts), nil
	case ModePlain:
		return newPlain(out, opts), nil
	case ModeJSON:
		return newJSON(out, opts), nil
	case ModeQuiet:
		return newQuiet(out), nil
	}
	return nil, fmt.Errorf("unknown progress mode %q: use auto, tty, plain, json or quiet", mode)
}
