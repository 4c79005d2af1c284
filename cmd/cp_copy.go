package cmd

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
)

// copier carries out one cp against the engine.
type copier struct {
	engine engine.Engine
	sink   progress.Sink
	opts   *cpOptions
	// dryRun checks both sides and reports each copy, but writes nothing.
	dryRun bool
	stdin  io.Reader
	stdout io.Writer
	warn   io.Writer
}

// each runs copy for every container at once, each with its progress
// line (Copying, then Copied or the error). One failure does not stop
// the others: all of them are returned.
func (c *copier) each(ctx context.Context, targets []engine.Container, copy func(context.Context, engine.Container) error) error {
	errs := make([]error, len(targets))
	var wg sync.WaitGroup
	for i, ctr := range targets {
		wg.Go(func() {
			c.emit(ctr, progress.Working, "Copying", nil)
			if errs[i] = copy(ctx, ctr); errs[i] != nil {
				c.emit(ctr, progress.Error, "Error", errs[i])
				return
			}
			c.emit(ctr, progress.Done, "Copied", nil)
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

func (c *copier) emit(ctr engine.Container, status progress.Status, text string, err error) {
	c.sink.Emit(progress.Event{Kind: progress.Container, Name: ctr.Name, Status: status, Text: text, Err: err})
}
