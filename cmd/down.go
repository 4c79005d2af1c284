package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
)

// downOptions are the flags of `down`.
type downOptions struct {
	Volumes       bool
	RemoveOrphans bool
	Timeout       int
	Rmi           string
}

func newDownCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &downOptions{}
	c := &cobra.Command{
		Use:               "down [OPTIONS] [SERVICE...]",
		Short:             "Stop and remove the project's containers and networks, dependents first",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runDown(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Volumes, "volumes", "v", false, "Also remove the project's named volumes and the anonymous volumes of its containers (their data is lost)")
	f.BoolVar(&opts.RemoveOrphans, "remove-orphans", false, "Remove the project's containers whose service the file no longer has")
	f.IntVarP(&opts.Timeout, "timeout", "t", -1, "Seconds to wait for a container to stop before it is killed")
	f.StringVar(&opts.Rmi, "rmi", "", `Also remove images: "local" those named after the project (no image: of their own), "all" every service's`)
	return c
}

func runDown(ctx context.Context, deps *Deps, global *globalOptions, opts *downOptions, services []string) error {
	if opts.Rmi != "" && opts.Rmi != "local" && opts.Rmi != "all" {
		return fmt.Errorf("invalid --rmi %q: use local or all", opts.Rmi)
	}
	return runLifecycle(ctx, deps, global, services, opts.Timeout,
		func(s *session, o *convergence.Observed, services []string) (*convergence.Plan, error) {
			return convergence.PlanDown(s.project, s.graph, o, convergence.DownOptions{
				Services: services, Volumes: opts.Volumes, RemoveOrphans: opts.RemoveOrphans, RemoveImages: opts.Rmi,
			})
		})
}

// timeoutOption turns -t seconds into a stop timeout; negative means the
// container's own.
func timeoutOption(seconds int) *time.Duration {
	if seconds < 0 {
		return nil
	}
	d := time.Duration(seconds) * time.Second
	return &d
}
