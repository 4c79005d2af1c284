package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/stats"
)

// statsOptions are the flags of `stats`.
type statsOptions struct {
	All      bool
	NoStream bool
	NoTrunc  bool
	Format   string
}

func newStatsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &statsOptions{}
	c := &cobra.Command{
		Use:               "stats [OPTIONS] [SERVICE]",
		Short:             "Show the CPU, memory, network and disk use of the project's containers, live",
		ValidArgsFunction: completeServices(deps, global),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("stats shows one service or all of them, but %d were given (%s): name at most one SERVICE",
					len(args), strings.Join(args, ", "))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runStats(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "Include stopped containers (by default only running ones are shown)")
	f.BoolVar(&opts.NoStream, "no-stream", false, "Print one table and exit, instead of refreshing it until interrupted")
	f.BoolVar(&opts.NoTrunc, "no-trunc", false, "Print container ids in full")
	f.StringVar(&opts.Format, "format", "", `Output format: "table" (the default), "table TEMPLATE" for chosen columns, "json", or a Go template`)
	return c
}

func runStats(ctx context.Context, deps *Deps, global *globalOptions, opts *statsOptions, services []string) error {
	format, err := stats.ParseFormat(opts.Format)
	if err != nil {
		return err
	}
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	var service string
	if len(services) == 1 {
		service = services[0]
		if err := checkServices(ctx, s, []string{service}); err != nil {
			return err
		}
	}
	// Redrawn in place only on a terminal (or with --ansi always), so no
	// escape code reaches a pipe or a file.
	live := global.Ansi == "always" || global.Ansi == "auto" && isTerminal(deps.Out)
	size := progressOptions(deps, global, deps.Out)
	return stats.Run(ctx, s.engine, stats.Options{
		Project: s.project.Name, Service: service,
		All: opts.All, NoStream: opts.NoStream, NoTrunc: opts.NoTrunc, Format: format,
		Live: live, Width: size.Width, Height: size.Height,
	}, deps.Out)
}
