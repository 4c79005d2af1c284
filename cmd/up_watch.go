package cmd

import (
	"context"
	"fmt"
	"io"

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

// watchWhileFollowing runs the watch rules for as long as follow shows
// the services' output, and ends them at the first Ctrl-C (ctx), before
// the project is stopped. Without rules it is follow itself.
func (s *session) watchWhileFollowing(ctx context.Context, global *globalOptions, rules []watch.Rule, follow follower) follower {
	if rules == nil {
		return follow
	}
	// A rebuild goes through up, which takes the project lock: this up
	// lets go of it once the project is up, or the first rebuild would
	// wait for it forever.
	if s.unlock != nil {
		s.unlock()
		s.unlock = nil
	}
	return func(fctx context.Context, services []string, out io.Writer, onExit func(containerExit)) error {
		wctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			err := s.watch(wctx, global, &watchOptions{Prune: true}, rules)
			if err != nil && wctx.Err() == nil {
				fmt.Fprintln(s.deps.Err, "error: watching stopped:", err)
			}
		}()
		defer func() { stop(); <-done }()
		return follow(fctx, services, out, onExit)
	}
}
