package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/stack"
)

// newSwarmCommand groups the commands that run the project on Docker Swarm
// instead of on one engine: the same compose file, deployed as a stack
// named after the project.
func newSwarmCommand(deps *Deps, global *globalOptions) *cobra.Command {
	c := &cobra.Command{
		Use:   "swarm COMMAND",
		Short: "Deploy the project to the Docker Swarm the engine manages, and look after it there",
		Long: "berth swarm deploys the project as a stack of swarm services (named <project>_<service>,\n" +
			"labelled as docker stack labels them), with a plan like up's: only what changed is\n" +
			"updated, configs and secrets are versioned by content, and depends_on orders the deploy.",
	}
	c.AddCommand(newSwarmUpCommand(deps, global), newSwarmDownCommand(deps, global),
		newSwarmPsCommand(deps, global), newSwarmServicesCommand(deps, global),
		newSwarmLogsCommand(deps, global), newSwarmSpecsCommand(deps, global))
	return c
}

// swarmOptions are the flags of `swarm up`.
type swarmUpOptions struct {
	Detach      bool
	Wait        bool
	WaitTimeout int
	Prune       bool
}

func newSwarmUpCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &swarmUpOptions{}
	c := &cobra.Command{
		Use:     "up [OPTIONS]",
		Aliases: []string{"deploy"},
		Short:   "Deploy the project to the swarm, or bring its stack up to date",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("wait") && !c.Flags().Changed("detach") {
				// Wait where someone watches, or where a timeout asks for it.
				opts.Wait = isTerminal(deps.statusOut()) || opts.WaitTimeout > 0
			}
			if opts.Detach {
				opts.Wait = false
			}
			return runSwarmUp(c.Context(), deps, global, opts)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Detach, "detach", "d", false, "Return once the swarm has the new specs, without waiting for the services to converge")
	f.BoolVar(&opts.Wait, "wait", false, "Wait until every service runs (healthy where it has a healthcheck) or, for jobs, has completed; the default on a terminal")
	f.IntVar(&opts.WaitTimeout, "wait-timeout", 0, "Give up after this many seconds (0: no limit); implies --wait")
	f.BoolVar(&opts.Prune, "prune", false, "Remove the stack's services the project no longer has")
	f.BoolVar(&opts.Prune, "remove-orphans", false, "Same as --prune")
	return c
}

func runSwarmUp(ctx context.Context, deps *Deps, global *globalOptions, opts *swarmUpOptions) error {
	s, e, err := openSwarmSession(ctx, deps, global)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.lock(ctx); err != nil {
		return err
	}
	d, o, err := s.resolveStack(ctx, e)
	if err != nil {
		return err
	}
	plan, err := stack.PlanDeploy(s.project, o, d, stack.DeployOptions{Wait: opts.Wait, Prune: opts.Prune, APIVersion: s.engine.APIVersion()})
	if err != nil {
		return err
	}
	for _, w := range plan.Warnings {
		fmt.Fprintln(deps.Err, "warning:", w)
	}
	if global.DryRun {
		_, err := fmt.Fprint(deps.Out, plan.String())
		return err
	}
	if opts.WaitTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, time.Duration(opts.WaitTimeout)*time.Second,
			fmt.Errorf("the services had not converged after --wait-timeout %ds", opts.WaitTimeout))
		defer cancel()
	}
	err = stack.Apply(ctx, e, plan, s.progress, stack.ApplyOptions{Auth: s.registryAuth, Warn: s.warn, Stable: stack.DefaultStable})
	if err != nil && context.Cause(ctx) != nil && ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("%w\n%w", context.Cause(ctx), err)
	}
	return err
}

func newSwarmDownCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:     "down",
		Aliases: []string{"rm"},
		Short:   "Remove the project's stack from the swarm: its services, then its networks, configs and secrets",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runSwarmDown(c.Context(), deps, global)
		},
	}
}

func runSwarmDown(ctx context.Context, deps *Deps, global *globalOptions) error {
	s, e, err := openSwarmSessionOrByName(ctx, deps, global)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.lock(ctx); err != nil {
		return err
	}
	o, err := stack.Observe(ctx, e, s.project.Name)
	if err != nil {
		return err
	}
	if o.Empty() {
		fmt.Fprintf(deps.Err, "warning: the swarm has nothing of stack %s\n", s.project.Name)
		return nil
	}
	plan := stack.PlanRemove(o)
	if global.DryRun {
		_, err := fmt.Fprint(deps.Out, plan.String())
		return err
	}
	return stack.Apply(ctx, e, plan, s.progress, stack.ApplyOptions{Warn: s.warn})
}

func (s *session) warn(msg string) { fmt.Fprintln(s.deps.Err, "warning:", msg) }
