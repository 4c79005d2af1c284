package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
)

// pushOptions are the flags of `push`.
type pushOptions struct {
	Quiet              bool
	IncludeDeps        bool
	IgnorePushFailures bool
}

func newPushCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &pushOptions{}
	c := &cobra.Command{
		Use:               "push [OPTIONS] [SERVICE...]",
		Short:             "Push the images of the services that are built to their registries",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runPush(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Show no progress, only errors")
	f.BoolVar(&opts.IncludeDeps, "include-deps", false, "Also push the images of the services' dependencies")
	f.BoolVar(&opts.IgnorePushFailures, "ignore-push-failures", false, "Push what can be pushed; a failed push only warns")
	return c
}

func runPush(ctx context.Context, deps *Deps, global *globalOptions, opts *pushOptions, services []string) error {
	s, err := openSession(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	ip, err := convergence.PlanPush(s.project, imageServices(s, services, opts.IncludeDeps),
		convergence.PushOptions{IgnoreFailures: opts.IgnorePushFailures})
	if err != nil {
		return err
	}
	return s.applyImagePlan(ctx, global, ip, opts.Quiet)
}
