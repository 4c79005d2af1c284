package cmd

import (
	"context"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// planner makes the plan of one lifecycle command from the snapshot.
type planner func(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error)

// lifecycleCommand builds the commands that observe, plan and apply with no
// options of their own beyond the ones added by flags.
func lifecycleCommand(deps *Deps, global *globalOptions, use, short string, timeout *int, plan planner) *cobra.Command {
	return &cobra.Command{
		Use:               use,
		Short:             short,
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			t := -1
			if timeout != nil {
				t = *timeout
			}
			return runLifecycle(c.Context(), deps, global, args, t, plan)
		},
	}
}

func runLifecycle(ctx context.Context, deps *Deps, global *globalOptions, services []string, timeout int, plan planner) error {
	s, err := openLockedSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	return s.converge(ctx, global, timeout, nil, func(o *convergence.Observed) (*convergence.Plan, error) {
		return plan(s, o, services)
	})
}

func newStartCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return lifecycleCommand(deps, global, "start [SERVICE...]", "Start the services' existing containers, dependencies first", nil, planStart)
}

// planStart starts the services and, as docker compose does, their
// dependencies first, each start waiting for its depends_on conditions.
func planStart(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
	return convergence.PlanUp(s.project, s.graph, o, convergence.UpOptions{Services: services, StartOnly: true})
}

// planStartOnly starts exactly the services named, in dependency order
// among themselves: restart's second half.
func planStartOnly(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
	return convergence.PlanUp(s.project, s.graph, o, convergence.UpOptions{Services: services, NoDeps: true, StartOnly: true})
}

func newStopCommand(deps *Deps, global *globalOptions) *cobra.Command {
	timeout := -1
	c := lifecycleCommand(deps, global, "stop [OPTIONS] [SERVICE...]", "Stop the services' containers, dependents first", &timeout, planStop)
	c.Flags().IntVarP(&timeout, "timeout", "t", -1, "Seconds to wait for a container to stop before it is killed")
	return c
}

func planStop(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
	return convergence.PlanDown(s.project, s.graph, o, convergence.DownOptions{Services: services, StopOnly: true})
}

func newRestartCommand(deps *Deps, global *globalOptions) *cobra.Command {
	timeout := -1
	c := &cobra.Command{
		Use:               "restart [OPTIONS] [SERVICE...]",
		Short:             "Stop and start the services' containers again, and their restart: true dependents",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			// Two plans, each from a fresh snapshot: the start plan must see
			// the containers the stop plan stopped. Dependents declared with
			// `restart: true` go along, as in docker compose; the named
			// services' own dependencies are left running.
			services, err := restartSet(c.Context(), deps, global, args)
			if err != nil {
				return err
			}
			if err := runLifecycle(c.Context(), deps, global, services, timeout, planStop); err != nil {
				return err
			}
			return runLifecycle(c.Context(), deps, global, services, timeout, planStartOnly)
		},
	}
	c.Flags().IntVarP(&timeout, "timeout", "t", -1, "Seconds to wait for a container to stop before it is killed")
	return c
}

func newKillCommand(deps *Deps, global *globalOptions) *cobra.Command {
	signal := "SIGKILL"
	removeOrphans := false
	c := lifecycleCommand(deps, global, "kill [OPTIONS] [SERVICE...]", "Send a signal (SIGKILL unless -s) to the services' running containers", nil,
		func(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
			return planKill(s, o, services, signal, removeOrphans)
		})
	c.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "Signal to send, by name or number")
	c.Flags().BoolVar(&removeOrphans, "remove-orphans", false, "Remove the project's containers whose service the file no longer has")
	return c
}

// planKill signals the running containers of the services; with
// --remove-orphans and no service named, the running orphans too, as docker
// compose does (it kills them; it does not remove them).
func planKill(s *session, o *convergence.Observed, services []string, signal string, removeOrphans bool) (*convergence.Plan, error) {
	plan, err := convergence.PlanEach(s.project, o, services, convergence.KillContainer, isRunning,
		func(a *convergence.Action) { a.Signal = signal })
	if err != nil || !removeOrphans || len(services) > 0 {
		return plan, err
	}
	for _, c := range convergence.Orphans(s.project, o) {
		if isRunning(c) {
			plan.Actions = append(plan.Actions, convergence.Action{
				ID: convergence.KillContainer.ID(c.Name), Kind: convergence.KillContainer, Resource: c.Name,
				Service: c.Labels[convergence.LabelService], Target: c.ID, Signal: signal, Reason: "orphan",
			})
		}
	}
	return plan, nil
}

func newPauseCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return lifecycleCommand(deps, global, "pause [SERVICE...]", "Freeze the services' running containers", nil,
		func(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
			return convergence.PlanEach(s.project, o, services, convergence.PauseContainer, isRunning, nil)
		})
}

func newUnpauseCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return lifecycleCommand(deps, global, "unpause [SERVICE...]", "Let paused containers run again", nil,
		func(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
			return convergence.PlanEach(s.project, o, services, convergence.UnpauseContainer,
				func(c engine.Container) bool { return c.State == engine.StatePaused }, nil)
		})
}

// rmOptions are the flags of `rm`.
type rmOptions struct {
	Force, Stop, Volumes bool
}

func newRmCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &rmOptions{}
	c := lifecycleCommand(deps, global, "rm [OPTIONS] [SERVICE...]", "Remove the services' stopped containers", nil,
		func(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
			return planRm(s, o, services, opts)
		})
	f := c.Flags()
	f.BoolVarP(&opts.Force, "force", "f", false, "Remove without asking (berth never asks; accepted for scripts written for docker compose)")
	f.BoolVarP(&opts.Stop, "stop", "s", false, "Stop running containers first instead of skipping them")
	f.BoolVarP(&opts.Volumes, "volumes", "v", false, "Also remove the containers' anonymous volumes")
	return c
}

// planRm removes stopped containers; with -s, running ones are stopped
// first (in reverse dependency order, as down does). berth never prompts,
// so -f only exists for compatibility.
func planRm(s *session, o *convergence.Observed, services []string, opts *rmOptions) (*convergence.Plan, error) {
	if opts.Stop {
		plan, err := convergence.PlanDown(s.project, s.graph, o, convergence.DownOptions{Services: services, Volumes: opts.Volumes})
		if err == nil {
			plan = withoutResources(plan) // rm removes containers only, services named or not
		}
		return plan, err
	}
	running := runningOf(s, o, services)
	plan, err := convergence.PlanEach(s.project, o, services, convergence.RemoveContainer,
		func(c engine.Container) bool { return !isRunning(c) },
		func(a *convergence.Action) { a.RemoveVolumes = opts.Volumes })
	if err == nil && len(running) > 0 {
		plan.Warnings = append(plan.Warnings, fmt.Sprintf("running containers are kept: %v; stop them first, or use rm -s", running))
	}
	return plan, err
}

// runningOf names the running containers of the services rm was asked
// about (all of the project's services when none), the ones it keeps.
func runningOf(s *session, o *convergence.Observed, services []string) []string {
	if len(services) == 0 {
		services = s.project.ServiceNames()
	}
	var running []string
	for _, svc := range services {
		for _, c := range o.ServiceContainers(svc) {
			if isRunning(c) {
				running = append(running, c.Name)
			}
		}
	}
	sort.Strings(running)
	return running
}

// withoutResources keeps only container actions: rm never removes networks.
func withoutResources(p *convergence.Plan) *convergence.Plan {
	out := &convergence.Plan{Warnings: p.Warnings}
	for _, a := range p.Actions {
		if a.Kind != convergence.RemoveNetwork && a.Kind != convergence.RemoveVolume {
			out.Actions = append(out.Actions, a)
		}
	}
	return out
}

func isRunning(c engine.Container) bool {
	return c.State == engine.StateRunning || c.State == engine.StateRestarting || c.State == engine.StatePaused
}

func newCreateCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &upOptions{Detach: true, NoStart: true, Timeout: -1}
	c := &cobra.Command{
		Use:               "create [OPTIONS] [SERVICE...]",
		Short:             "Create the containers, networks and volumes without starting anything",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runUp(c.Context(), deps, global, opts, args)
		},
	}
	opts.addCreateFlags(c)
	return c
}

func newScaleCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &upOptions{Detach: true, Timeout: -1, Pull: convergence.PullPolicy}
	c := &cobra.Command{
		Use:   "scale [SERVICE=REPLICAS...]",
		Short: "Set how many containers services run (SERVICE=NUM)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Scale = args
			scale, err := opts.scale()
			if err != nil {
				return err
			}
			var services []string
			for name := range scale {
				services = append(services, name)
			}
			return runUp(c.Context(), deps, global, opts, services)
		},
	}
	c.Flags().BoolVar(&opts.NoDeps, "no-deps", false, "Leave the services' dependencies as they are")
	return c
}

// restartSet is what restart acts on: the named services (none: every
// service, nothing to add) and, transitively, the services that depend on
// one of them with `restart: true`.
func restartSet(ctx context.Context, deps *Deps, global *globalOptions, named []string) ([]string, error) {
	if len(named) == 0 {
		return nil, nil
	}
	// The whole project: loading with names keeps only them and their
	// dependencies, not their dependents.
	s, err := openSessionOrByName(ctx, deps, global, nil)
	if err != nil {
		return nil, err
	}
	defer s.close()
	if _, err := s.observe(ctx); err != nil { // by name, the graph comes from the labels
		return nil, err
	}
	return s.graph.RestartDependents(named...), nil
}
