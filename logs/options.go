package logs

import (
	"slices"
	"strconv"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// Options says which containers Follow shows, which part of their output,
// and how.
type Options struct {
	// Services limits the output to these services' containers; empty
	// means every service.
	Services []string
	// Index, when not 0, limits the output to the containers with this
	// number (service-<Index>).
	Index int
	// Follow keeps streaming as containers write, start, restart and
	// appear, until every followed container has stopped for good.
	// Without it, Follow shows what each container wrote so far and returns.
	Follow bool
	// Tail is how many of each container's last lines to show first;
	// < 0 shows all of them.
	Tail int
	// Since and Until bound the lines by the time they were logged, in
	// docker's forms: RFC 3339 times, unix timestamps, or durations before
	// now ("10m").
	Since, Until string
	// Timestamps starts each line (after the prefix) with the time the
	// engine logged it.
	Timestamps bool
	// Prefix starts each line with "<container> | ".
	Prefix bool
	// Color colours each prefix, one colour per service.
	Color bool
	// Hold, when not nil, keeps Follow from returning by itself before it
	// is closed: a caller that is still starting containers (foreground
	// up) uses it, so an empty or stopped project is not taken for a
	// finished one.
	Hold <-chan struct{}
	// OnExit, when not nil, is called on Follow's own goroutine each time
	// a followed container's run ends, with its exit code, from the
	// engine's "die" event: a container that restarts is reported once
	// per run. Only with Follow.
	OnExit func(c engine.Container, exitCode int)
}

// wants says whether the container is one the options select. One-off
// containers (`run`) are left out of what already exists, as in docker
// compose, but a one-off started while following is shown.
func (o Options) wants(c engine.Container, withOneoff bool) bool {
	if !withOneoff && c.Labels[convergence.LabelOneoff] == "True" {
		return false
	}
	if len(o.Services) > 0 && !slices.Contains(o.Services, c.Labels[convergence.LabelService]) {
		return false
	}
	return o.Index == 0 || c.Labels[convergence.LabelContainerNumber] == strconv.Itoa(o.Index)
}
