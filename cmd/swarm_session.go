package cmd

import (
	"context"
	"fmt"

	"github.com/berth-compose/berth/stack"
)

// openSwarmSession is openSession for the swarm commands: the engine must
// manage a swarm.
func openSwarmSession(ctx context.Context, deps *Deps, global *globalOptions) (*session, stack.Engine, error) {
	s, err := openSession(ctx, deps, global, nil)
	if err != nil {
		return nil, nil, err
	}
	return s.swarm(ctx)
}

// openSwarmSessionOrByName also works with only a project name, as down
// and the read-only commands do: a stack is found by its name alone.
func openSwarmSessionOrByName(ctx context.Context, deps *Deps, global *globalOptions) (*session, stack.Engine, error) {
	s, err := openSessionOrByName(ctx, deps, global, nil)
	if err != nil {
		return nil, nil, err
	}
	return s.swarm(ctx)
}

func (s *session) swarm(ctx context.Context) (*session, stack.Engine, error) {
	e, ok := s.engine.(stack.Engine)
	if !ok {
		s.close()
		return nil, nil, fmt.Errorf("this engine connection cannot manage a swarm")
	}
	if err := stack.CheckManager(ctx, e); err != nil {
		s.close()
		return nil, nil, err
	}
	return s, e, nil
}
