package progress

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
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

// New returns the renderer for mode on out. isTTY decides "auto"; until the
// live view lands, "tty" renders plain lines too.
func New(mode string, out io.Writer, isTTY bool) (Renderer, error) {
	switch mode {
	case "", ModeAuto, ModeTTY, ModePlain:
		return &plain{out: out, start: time.Now()}, nil
	case ModeJSON:
		return &jsonLines{enc: json.NewEncoder(out)}, nil
	case ModeQuiet:
		return quiet{}, nil
	}
	return nil, fmt.Errorf("unknown progress mode %q: use auto, tty, plain, json or quiet", mode)
}

// plain prints one line per finished step, for CI logs:
// " Container shop-web-1  Started  0.3s".
type plain struct {
	mu    sync.Mutex
	out   io.Writer
	start time.Time
}

func (p *plain) Emit(e Event) {
	if e.Parent != "" || e.Status == Working && e.Current > 0 {
		return // layer and byte updates of a pull would flood a log
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	line := fmt.Sprintf(" %s  %s", e.Resource, e.Text)
	if e.Err != nil {
		line += ": " + e.Err.Error()
	}
	if !e.Time.IsZero() && e.Status != Working {
		line += fmt.Sprintf("  %.1fs", e.Time.Sub(p.start).Seconds())
	}
	fmt.Fprintln(p.out, line)
}

func (p *plain) Close() error { return nil }

// jsonLines prints each event as one JSON object per line, for tools.
type jsonLines struct {
	mu  sync.Mutex
	enc *json.Encoder
}

type jsonEvent struct {
	Resource string    `json:"resource"`
	Status   string    `json:"status"`
	Text     string    `json:"text,omitempty"`
	Error    string    `json:"error,omitempty"`
	Current  int64     `json:"current,omitempty"`
	Total    int64     `json:"total,omitempty"`
	Parent   string    `json:"parent,omitempty"`
	Time     time.Time `json:"time"`
}

func (j *jsonLines) Emit(e Event) {
	out := jsonEvent{Resource: e.Resource, Status: e.Status.String(), Text: e.Text, Current: e.Current, Total: e.Total, Parent: e.Parent, Time: e.Time}
	if e.Err != nil {
		out.Error = e.Err.Error()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = j.enc.Encode(out)
}

func (j *jsonLines) Close() error { return nil }

type quiet struct{}

func (quiet) Emit(Event)   {}
func (quiet) Close() error { return nil }
