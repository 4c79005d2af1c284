package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/project"
)

// graphOptions are the flags of `graph`, berth's own command.
type graphOptions struct {
	Format    string
	Resources bool
}

func newGraphCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &graphOptions{}
	c := &cobra.Command{
		Use:   "graph [OPTIONS] [SERVICE...]",
		Short: "Print the dependency graph of the services",
		Long: "Print the dependency graph berth builds from depends_on, links, volumes_from and\n" +
			"network_mode/ipc/pid \"service:\" references. Arrows point from a service to what it\n" +
			"depends on. Given services, show only them and their dependencies.",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runGraph(c.Context(), deps, global, opts, args)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "text", "Output format: "+strings.Join(project.RenderFormats, ", "))
	c.Flags().BoolVar(&opts.Resources, "resources", false, "Also show the networks and volumes each service uses")
	return c
}

func runGraph(ctx context.Context, deps *Deps, global *globalOptions, opts *graphOptions, services []string) error {
	lo := global.loadOptions(deps, nil)
	lo.NoEnvironmentResolved = true
	p, err := project.Load(ctx, lo)
	if err != nil {
		return err
	}
	g, err := project.NewGraph(p)
	if err != nil {
		return err
	}
	for _, w := range g.Warnings {
		fmt.Fprintln(deps.Err, "warning:", w)
	}
	return project.Render(deps.Out, g, opts.Format, project.RenderOptions{
		Name:      p.Name,
		Services:  services,
		Resources: opts.Resources,
	})
}
