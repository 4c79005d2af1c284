package cmd

import (
	"context"
	"io"
	"os"
	"strconv"

	"github.com/berth-compose/berth/engine"
)

// Deps is what commands need from the outside world. Tests replace any field,
// so no command reaches for os.Stdout or a real engine directly.
type Deps struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer

	// Getenv reads the environment; tests pass a map-backed function.
	Getenv func(key string) string
	// Environ lists the environment as KEY=VALUE, for interpolation.
	Environ func() []string

	// Engine connects lazily: commands that never talk to the engine
	// (config, graph) must work on a machine with no engine at all.
	Engine func(ctx context.Context) (engine.Engine, error)

	// Interrupts subscribes to Ctrl-C and SIGTERM, for a command that does
	// more than stop at the first one (foreground up: the first stops the
	// project, a second kills it). nil: no signals, as in tests that
	// interrupt by cancelling the context.
	Interrupts func() (<-chan os.Signal, func())
}

// interrupts is d.Interrupts, or a channel that never fires.
func (d *Deps) interrupts() (<-chan os.Signal, func()) {
	if d.Interrupts == nil {
		return make(chan os.Signal), func() {}
	}
	return d.Interrupts()
}

// statusOut is where progress goes: stderr, so that stdout carries only a
// command's answer, unless COMPOSE_STATUS_STDOUT is true, as in docker
// compose (read with strconv.ParseBool there too; anything else is false).
func (d *Deps) statusOut() io.Writer {
	if on, _ := strconv.ParseBool(d.Getenv("COMPOSE_STATUS_STDOUT")); on {
		return d.Out
	}
	return d.Err
}
