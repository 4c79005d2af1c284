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

// openStack opens a session by name and reads the stack: for the commands
// that only look (ps, services, logs). services narrows to those named,
// each checked; none names every service.
func openStack(ctx context.Context, deps *Deps, global *globalOptions, services []string) (*session, stack.Engine, *stack.Observed, []string, error) {
	s, e, err := openSwarmSessionOrByName(ctx, deps, global)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	o, err := stack.Observe(ctx, e, s.project.Name)
	if err == nil {
		var keys []string
		if keys, err = stackServices(o, services); err == nil {
			return s, e, o, keys, nil
		}
	}
	s.close()
	return nil, nil, nil, nil, err
}

// resolveStack reads the stack's snapshot, then what a deploy needs
// besides the file: contents (secrets versioned with the stack's salt)
// and digests.
func (s *session) resolveStack(ctx context.Context, e stack.Engine) (*stack.Desired, *stack.Observed, error) {
	o, err := stack.Observe(ctx, e, s.project.Name)
	if err != nil {
		return nil, nil, err
	}
	salt, err := stack.SecretSalt(o)
	if err != nil {
		return nil, nil, err
	}
	d, err := stack.Resolve(ctx, e, s.project, s.registryAuth, salt)
	return d, o, err
}
