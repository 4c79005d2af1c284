// Package progress carries events about the work berth does to renderers
// that show them: a live terminal view, plain lines, JSON, or nothing.
// The work only ever sees a Sink; which renderer listens is the command's
// choice.
package progress

import "time"

// Status is where one piece of work stands.
type Status int

const (
	Working Status = 1 // started, not finished
	Done    Status = 2 // finished well
	Warning Status = 3 // finished, with something the user should know
	Error   Status = 4 // failed
)

func (s Status) String() string {
	switch s {
	case Working:
		return "working"
	case Done:
		return "done"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return "unknown"
}

// Event is one update about one resource, e.g. "Container shop-web-1
// Started".
type Event struct {
	Resource string // "Container shop-web-1", "Network shop_default"
	Status   Status
	Text     string // "Creating", "Created", "Waiting", "Healthy"...
	Err      error
	Current  int64 // for pulls: bytes so far, and of Total
	Total    int64
	// Parent groups a sub-step under the resource it belongs to: a layer
	// event ("Layer 3f4d90098f5b") has its image ("Image busybox") here,
	// so a live view can draw it beneath the image. Empty for top-level
	// events.
	Parent string
	Time   time.Time
}

// Sink receives events. Emit must be safe for concurrent use and must not
// block the work for long: renderers buffer.
type Sink interface {
	Emit(Event)
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(Event)

// Emit calls f(e).
func (f SinkFunc) Emit(e Event) { f(e) }

// Discard drops every event.
var Discard Sink = SinkFunc(func(Event) {})
