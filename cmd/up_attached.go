package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/logs"
)

// attachOptions are the flags of a foreground up (without -d).
type attachOptions struct {
	Attach             []string
	NoAttach           []string
	AttachDependencies bool
	AbortOnExit        bool
	AbortOnFailure     bool
	ExitCodeFrom       string
	NoLogPrefix        bool
	Timestamps         bool
	NoColor            bool
}

func (o *attachOptions) addFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringArrayVar(&o.Attach, "attach", nil, "Show the output of this service only (repeatable)")
	f.StringArrayVar(&o.NoAttach, "no-attach", nil, "Do not show the output of this service (repeatable)")
	f.BoolVar(&o.AttachDependencies, "attach-dependencies", false, "Show the output of the services' dependencies too")
	f.BoolVar(&o.AbortOnExit, "abort-on-container-exit", false, "Stop the project as soon as one shown container stops")
	f.BoolVar(&o.AbortOnFailure, "abort-on-container-failure", false, "Stop the project as soon as one shown container stops with a non-zero code")
	f.StringVar(&o.ExitCodeFrom, "exit-code-from", "", "Exit with this service's exit code; implies --abort-on-container-exit")
	f.BoolVar(&o.NoLogPrefix, "no-log-prefix", false, "Print output lines without the container name in front")
	f.BoolVar(&o.Timestamps, "timestamps", false, "Print the time of each output line")
	f.BoolVar(&o.NoColor, "no-color", false, "Print output without colours")
}

func (o *attachOptions) validate(detach bool) error {
	switch {
	case detach && (o.AbortOnExit || o.AbortOnFailure || o.ExitCodeFrom != ""):
		return fmt.Errorf("-d and --abort-on-container-exit, --abort-on-container-failure or --exit-code-from cannot go together: they need up to stay attached")
	case o.AbortOnExit && o.AbortOnFailure:
		return fmt.Errorf("--abort-on-container-exit and --abort-on-container-failure cannot go together: pick one")
	}
	return nil
}

// attachedServices is whose output a foreground up shows: --attach when
// given, else the named services (every service when none is), with their
// dependencies under --attach-dependencies; --no-attach takes some away.
func attachedServices(s *session, services []string, o *attachOptions) []string {
	var out []string
	switch {
	case len(o.Attach) > 0:
		out = slices.Clone(o.Attach)
	case len(services) == 0:
		out = s.graph.Services()
	case o.AttachDependencies:
		out = s.graph.DependencyClosure(services...)
	default:
		out = slices.Clone(services)
	}
	out = slices.DeleteFunc(out, func(svc string) bool { return slices.Contains(o.NoAttach, svc) })
	slices.Sort(out)
	return out
}

// containerExit is one shown container that stopped.
type containerExit struct {
	Service string
	Name    string
	Code    int
}

// exitPolicy decides, as containers stop, when a foreground up stops the
// project and which exit code it returns, as docker compose decides: with
// an abort flag the first stop (or first failure) stops everything, and the
// code is that of --exit-code-from's service, else of the service that
// stopped first; without one, up ends with 0 once every shown container
// stopped.
type exitPolicy struct {
	abortOnExit, abortOnFailure bool
	codeFrom                    string
	aborting                    bool
	code                        int
}

func newExitPolicy(o *attachOptions) *exitPolicy {
	return &exitPolicy{abortOnExit: o.AbortOnExit || o.ExitCodeFrom != "", abortOnFailure: o.AbortOnFailure, codeFrom: o.ExitCodeFrom}
}

// exited takes in one stop and says whether the project must be stopped
// now.
func (p *exitPolicy) exited(e containerExit) (abort bool) {
	cascade := p.abortOnExit || p.abortOnFailure && e.Code != 0
	if !cascade && !p.aborting {
		return false
	}
	if p.codeFrom == "" {
		p.codeFrom = e.Service
	}
	if p.codeFrom == e.Service {
		p.code = e.Code
	}
	if p.aborting {
		return false
	}
	p.aborting = true
	return true
}

// follower shows the output of the services' containers until ctx ends or
// every one of them stopped (and none can come back), reporting each stop.
// Everything it prints goes to out.
type follower func(ctx context.Context, services []string, out io.Writer, onExit func(containerExit)) error

// lockedWriter lets the follower and up's own lines share one stream.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// runAttached is the foreground half of up: it shows the attached
// services' output until they all stop, an abort flag stops the project,
// or the user interrupts. A first Ctrl-C (or SIGTERM) stops the project,
// stopped rather than removed; a second one kills its containers.
func (s *session) runAttached(ctx context.Context, global *globalOptions, opts *upOptions, services []string, follow follower) error {
	interrupts, unsubscribe := s.deps.interrupts()
	defer unsubscribe()
	// The output goes on while the project stops, so that its last words
	// show; it ends with the containers, not with the interrupt.
	followCtx, endFollow := context.WithCancel(context.WithoutCancel(ctx))
	exits := make(chan containerExit, 64)
	ended := make(chan error, 1)
	finished := false
	out := &lockedWriter{w: s.deps.Out}
	go func() {
		ended <- follow(followCtx, attachedServices(s, services, &opts.attach), out, func(e containerExit) {
			select {
			case exits <- e:
			case <-followCtx.Done():
			}
		})
	}()
	// Nothing is written after up returns: the follower ends first.
	defer func() {
		endFollow()
		if !finished {
			<-ended
		}
	}()
	policy := newExitPolicy(&opts.attach)
	for {
		select {
		case e := <-exits:
			if policy.exited(e) {
				fmt.Fprintln(out, "Aborting on container exit...")
				if err := s.stopProject(context.WithoutCancel(ctx), global, opts.Timeout, interrupts); err != nil {
					return err
				}
			}
		case err := <-ended:
			finished = true
			for len(exits) > 0 { // the last stops reported before the end
				policy.exited(<-exits)
			}
			if err != nil {
				return err
			}
			return exitWith(policy.code)
		case <-ctx.Done():
			fmt.Fprintln(s.deps.Err, "Gracefully stopping... (press Ctrl+C again to force)")
			if err := s.stopProject(context.WithoutCancel(ctx), global, opts.Timeout, interrupts); err != nil {
				return fmt.Errorf("%w; %w", context.Canceled, err)
			}
			return context.Canceled
		}
	}
}

// stopProject stops every container of the project. A signal that comes
// meanwhile (a second Ctrl-C; the first one is already taken) cuts the
// stop short and kills the containers instead.
func (s *session) stopProject(ctx context.Context, global *globalOptions, timeout int, interrupts <-chan os.Signal) error {
	drain(interrupts)
	stopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	forced := make(chan struct{})
	go func() {
		select {
		case <-interrupts:
			cancel()
			close(forced)
		case <-stopCtx.Done():
		}
	}()
	err := s.converge(stopCtx, global, timeout, nil, func(o *convergence.Observed) (*convergence.Plan, error) {
		return planStop(s, o, nil)
	})
	select {
	case <-forced:
		return s.converge(ctx, global, timeout, nil, func(o *convergence.Observed) (*convergence.Plan, error) {
			return planKill(s, o, nil, "SIGKILL", false)
		})
	default:
		return err
	}
}

// drain empties what is already in c: the signal that brought us here.
func drain(c <-chan os.Signal) {
	for {
		select {
		case <-c:
		default:
			return
		}
	}
}

// logFollower is the follower of a foreground up: the attached services'
// output since up began (a container this up started shows from its first
// line, an unchanged one only what it writes from now on), prefixed and
// coloured as `logs` prints it, with a line per container that stops.
func (s *session) logFollower(global *globalOptions, o *attachOptions, since time.Time, untilInterrupted bool) follower {
	return func(ctx context.Context, services []string, out io.Writer, onExit func(containerExit)) error {
		var hold <-chan struct{}
		if untilInterrupted {
			// up --watch: a rule's restart or rebuild stops containers
			// that come back, so their stopping ends nothing; Ctrl-C does.
			hold = ctx.Done()
		}
		if len(services) == 0 {
			// Nothing shown (--no-attach of every service): the logs
			// package would read "no services" as all of them. Up then
			// waits for Ctrl-C, as docker compose does.
			<-ctx.Done()
			return nil
		}
		if err := s.sayAttaching(ctx, services, out); err != nil {
			return err
		}
		return logs.Follow(ctx, s.engine, s.project.Name, logs.Options{
			Services: services, Follow: true, Tail: -1, Since: strconv.FormatInt(since.Unix(), 10),
			Timestamps: o.Timestamps, Prefix: !o.NoLogPrefix, Color: !o.NoColor && useColor(s.deps, global, s.deps.Out),
			Hold: hold,
			OnExit: func(c engine.Container, code int) {
				name := c.Labels[convergence.LabelService] + "-" + c.Labels[convergence.LabelContainerNumber]
				fmt.Fprintf(out, "%s exited with code %d\n", name, code)
				onExit(containerExit{Service: c.Labels[convergence.LabelService], Name: c.Name, Code: code})
			},
		}, out, out)
	}
}

// sayAttaching prints whose output follows, as docker compose does.
func (s *session) sayAttaching(ctx context.Context, services []string, out io.Writer) error {
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	var names []string
	for _, svc := range services {
		for _, c := range o.AllServiceContainers(svc) {
			names = append(names, svc+"-"+c.Labels[convergence.LabelContainerNumber])
		}
	}
	_, err = fmt.Fprintf(out, "Attaching to %s\n", strings.Join(names, ", "))
	return err
}
