package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/term"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

// session is what every engine command starts from: the project, its
// graph, a connected engine and a progress renderer.
type session struct {
	project  *types.Project
	graph    *project.Graph
	engine   engine.Engine
	progress progress.Renderer
	deps     *Deps
	unlock   func()
	closed   bool
	// fromLabels marks a project known only by name (-p, no compose file
	// found): each snapshot rebuilds it from the engine's labels, so the
	// plan reads the same state it is made from.
	fromLabels bool
	registries registryState // logins and pull times: registry_auth.go
}

// openSession loads the project (services enabled by name even outside the
// active profiles), builds its graph and connects to the engine.
func openSession(ctx context.Context, deps *Deps, global *globalOptions, services []string) (*session, error) {
	p, err := project.Load(ctx, global.loadOptions(deps, services))
	if err != nil {
		return nil, err
	}
	g, err := project.NewGraph(p)
	if err != nil {
		return nil, err
	}
	for _, w := range g.Warnings {
		fmt.Fprintln(deps.Err, "warning:", w)
	}
	return newSession(ctx, deps, global, &session{project: p, graph: g})
}

// newSession completes s with what every command needs: the engine and the
// progress renderer.
func newSession(ctx context.Context, deps *Deps, global *globalOptions, s *session) (*session, error) {
	e, err := deps.Engine(ctx)
	if err != nil {
		return nil, err
	}
	out := deps.statusOut()
	r, err := progress.New(global.progressMode(), out, progressOptions(deps, global, out))
	if err != nil {
		e.Close()
		return nil, err
	}
	s.engine, s.progress, s.deps = e, r, deps
	return s, nil
}

// progressOptions tells the renderer about the stream progress goes to:
// whether it is a terminal, whether it may carry colours, and its size,
// read again for each frame so the live view follows resizes.
func progressOptions(deps *Deps, global *globalOptions, out io.Writer) progress.Options {
	opts := progress.Options{TTY: isTerminal(out), Color: useColor(deps, global, out)}
	if f, ok := out.(*os.File); ok {
		fd := int(f.Fd())
		size := func() (int, int) {
			w, h, err := term.GetSize(fd)
			if err != nil {
				return 0, 0 // not a terminal (--ansi always): the renderer's default
			}
			return w, h
		}
		opts.Width = func() int { w, _ := size(); return w }
		opts.Height = func() int { _, h := size(); return h }
	}
	return opts
}

// openSessionOrByName is openSession for the commands that, like docker
// compose's, also work on a project the engine knows when no compose file
// is in reach but a name was given (-p or COMPOSE_PROJECT_NAME): stop,
// start, restart, kill, pause, unpause, rm, down and ps.
func openSessionOrByName(ctx context.Context, deps *Deps, global *globalOptions, services []string) (*session, error) {
	s, err := openSession(ctx, deps, global, services)
	var missing *project.NoConfigFileError
	if err == nil || !errors.As(err, &missing) || len(global.Files) > 0 {
		return s, err
	}
	name := global.ProjectName
	if name == "" {
		name = deps.Getenv("COMPOSE_PROJECT_NAME")
	}
	if name == "" {
		return nil, err
	}
	return openSessionByName(ctx, deps, global, strings.ToLower(name))
}

// openSessionByName opens a session whose project is, until the first
// observe, only its name.
func openSessionByName(ctx context.Context, deps *Deps, global *globalOptions, name string) (*session, error) {
	p := &types.Project{Name: name, Services: types.Services{}}
	g, err := project.NewGraph(p)
	if err != nil {
		return nil, err
	}
	return newSession(ctx, deps, global, &session{project: p, graph: g, fromLabels: true})
}

// close releases the lock, flushes progress and disconnects; calling it
// again does nothing, so a command may end its session early and still
// defer the close.
func (s *session) close() {
	if s.closed {
		return
	}
	s.closed = true
	if s.unlock != nil {
		s.unlock()
	}
	s.progress.Close()
	s.engine.Close()
}

// lock waits until no other berth changes this project on this engine; the
// commands that change state take it before they observe, so they plan
// from a snapshot no one else is changing.
func (s *session) lock(ctx context.Context) error {
	host := ""
	if ep, err := engine.ResolveEndpoint(s.deps.Getenv); err == nil {
		host = ep.Host
	}
	unlock, err := lockProject(ctx, s.deps, host, s.project.Name)
	if err != nil {
		return err
	}
	s.unlock = unlock
	return nil
}

// openLockedSession is openSession plus the project lock, for commands that
// change the engine.
func openLockedSession(ctx context.Context, deps *Deps, global *globalOptions, services []string) (*session, error) {
	s, err := openSession(ctx, deps, global, services)
	if err != nil {
		return nil, err
	}
	return s.locked(ctx)
}

// openLockedSessionOrByName is openSessionOrByName plus the project lock.
func openLockedSessionOrByName(ctx context.Context, deps *Deps, global *globalOptions, services []string) (*session, error) {
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return nil, err
	}
	return s.locked(ctx)
}

// locked takes the project lock, closing the session when it cannot.
func (s *session) locked(ctx context.Context) (*session, error) {
	if err := s.lock(ctx); err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// observe takes the snapshot the planners read. A project known only by
// name is rebuilt from it.
func (s *session) observe(ctx context.Context) (*convergence.Observed, error) {
	o, err := convergence.Observe(ctx, s.engine, s.project.Name)
	if err != nil || !s.fromLabels {
		return o, err
	}
	p := convergence.ProjectFromLabels(s.project.Name, o)
	g, err := project.NewGraph(p)
	if err != nil {
		return nil, fmt.Errorf("project %s as the engine's labels describe it: %w", p.Name, err)
	}
	s.project, s.graph = p, g
	return o, nil
}

// maxPlans bounds how often one command plans again after the engine
// changed under its plan.
const maxPlans = 3

// converge plans from o (or a fresh snapshot when o is nil) and applies the
// plan. A step that finds its container gone means the snapshot is stale:
// the world is then read again and planned anew, rather than trusted, a
// bounded number of times.
func (s *session) converge(ctx context.Context, global *globalOptions, timeout int, o *convergence.Observed,
	plan func(*convergence.Observed) (*convergence.Plan, error)) error {
	for attempt := 1; ; attempt++ {
		if o == nil {
			var err error
			if o, err = s.observe(ctx); err != nil {
				return err
			}
		}
		p, err := plan(o)
		if err != nil {
			return err
		}
		err = s.applyWithTimeout(ctx, global, p, timeout)
		if attempt == maxPlans || ctx.Err() != nil || !convergence.IsStale(err) {
			return err
		}
		fmt.Fprintln(s.deps.Err, "berth: the engine changed while applying; planning again from what it has now")
		o = nil
	}
}

// applyWithTimeout runs plan with a stop timeout in seconds (-t; -1 for
// each container's own), or with --dry-run prints it and changes nothing.
func (s *session) applyWithTimeout(ctx context.Context, global *globalOptions, plan *convergence.Plan, timeout int) error {
	for _, w := range plan.Warnings {
		fmt.Fprintln(s.deps.Err, "warning:", w)
	}
	if global.DryRun {
		_, err := fmt.Fprint(s.deps.Out, plan.String())
		return err
	}
	return convergence.Apply(ctx, s.engine, plan, s.progress, convergence.ApplyOptions{
		Project:     s.project.Name,
		Limit:       global.Parallel,
		StopTimeout: timeoutOption(timeout),
		Auth:        s.registryAuth,
		Pulled:      s.recordPull,
		Notice:      func(msg string) { fmt.Fprintln(s.deps.Err, "warning:", msg) },
	})
}
