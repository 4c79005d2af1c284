// Package progress carries events about the work berth does to renderers
// that show them: a live terminal view, plain lines, JSON, or nothing.
// The work only ever sees a Sink; which renderer listens is the command's
// choice, and only the renderer decides how an event looks.
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

// finished reports whether s ends a resource's work: its elapsed time
// stops there.
func (s Status) finished() bool { return s == Done || s == Warning || s == Error }

// Kind is the sort of engine object an event is about. Its value is the
// word renderers print before the name.
type Kind string

const (
	Container Kind = "Container"
	Network   Kind = "Network"
	Volume    Kind = "Volume"
	Image     Kind = "Image"
	Service   Kind = "Service" // waits for a service's containers
	Layer     Kind = "Layer"   // one layer of an image being pulled
	Step      Kind = "Step"    // one step of an image being built
	Config    Kind = "Config"  // a swarm config
	Secret    Kind = "Secret"  // a swarm secret
)

// Event is one update about one resource, e.g. Container shop-web-1
// Started.
type Event struct {
	Kind   Kind
	Name   string // "shop-web-1", "shop_default", "busybox:latest"
	Status Status
	Text   string // "Creating", "Created", "Waiting", "Healthy"...
	Err    error
	// Current and Total are the bytes done so far, and in all, of a pull
	// layer; zero when unknown.
	Current int64
	Total   int64
	// Parent groups a sub-step under the resource it belongs to: a layer
	// event has its image's ID ("Image busybox") here, so a live view can
	// fold it into the image's line. Empty for top-level events.
	Parent string
	Time   time.Time // when it happened; zero: when the renderer got it
}

// ID names the resource an event is about, "Container shop-web-1": the key
// renderers group events by, and what they print.
func (e Event) ID() string { return string(e.Kind) + " " + e.Name }

// ID is the ID of the resource of kind k named name, e.g. for an Event's
// Parent.
func ID(k Kind, name string) string { return string(k) + " " + name }

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
