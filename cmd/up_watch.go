package cmd

import (
	"context"
	"fmt"

	"github.com/berth-compose/berth/watch"
)

// watchRules are the develop.watch rules up --watch follows, checked
// before anything is created; nil without --watch.
func (o *upOptions) watchRules(s *session, services []string) ([]watch.Rule, error) {
	if !o.Watch {
		return nil, nil
	}
	return watch.Rules(s.project, services)
}

// runAttachedWatching is the foreground part of up, with the watch rules
// (when there are any) followed meanwhile. At Ctrl-C the watch ends
// before the project is stopped, so that no sync or restart of its lands
// on a container the stop has already stopped.
func (s *session) runAttachedWatching(ctx context.Context, global *globalOptions, opts *upOptions, services []string, rules []watch.Rule, follow follower) error {
	if rules == nil {
		return s.runAttached(ctx, global, opts, services, follow)
	}
	// A rebuild goes through up, which takes the project lock: this up
	// lets go of it once the project is up, or the first rebuild would
	// wait for it forever.
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		if err := s.watch(wctx, global, &watchOptions{Prune: true}, rules); err != nil && wctx.Err() == nil {
			fmt.Fprintln(s.deps.Err, "error: watching stopped:", err)
		}
	}()
	attachCtx, interrupt := context.WithCancel(context.WithoutCancel(ctx))
	defer interrupt()
	go func() {
		select {
		case <-ctx.Done():
			stopWatch()
			<-watched
			interrupt()
		case <-attachCtx.Done():
		}
	}()
	err := s.runAttached(attachCtx, global, opts, services, follow)
	stopWatch()
	<-watched
	return err
}
