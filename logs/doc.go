// Package logs streams the output of a project's containers to a pair of
// writers: lines from many containers merged as they arrive, each line
// started with the container's name, padded to a common width and
// coloured per service.
//
// Follow is the one entry point. `berth logs` calls it once and returns
// with it; foreground `up` runs it beside the plan it applies:
//
//	applied := make(chan struct{})
//	go func() { done <- logs.Follow(ctx, e, name, logs.Options{
//		Follow: true, Tail: -1, Prefix: true, Color: color,
//		// Until the plan has started every container, an empty or
//		// stopped project is not the end: containers are on their way.
//		Hold:   applied,
//		OnExit: func(c engine.Container, code int) { ... },
//	}, stdout, stderr) }()
//	err := apply(...)
//	close(applied)
//	err = <-done // every container stopped for good, or ctx ended
//
// Follow subscribes to the engine's events before it lists containers, so
// a container started while it sets up is never missed. It attaches to a
// container that starts later (scale up, recreate, a one-off run) on its
// start event; a container that restarts is followed into its new run
// from where the old one ended, so nothing is shown twice.
//
// What Follow holds in memory does not grow with the output: lines are
// copied through as they come, and only a line not yet ended is kept, up
// to maxHeld bytes per stream. A longer line is written in pieces, the
// prefix only before the first, so binary output passes unchanged.
package logs
