package cmd

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/logs"
)

// logsOptions are the flags of `logs`.
type logsOptions struct {
	Follow      bool
	Tail        string
	Timestamps  bool
	Since       string
	Until       string
	NoColor     bool
	NoLogPrefix bool
	Index       int
}

func newLogsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &logsOptions{}
	c := &cobra.Command{
		Use:               "logs [OPTIONS] [SERVICE...]",
		Short:             "Show the output of the services' containers",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runLogs(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Follow, "follow", "f", false, "Keep showing output as it comes, until every container has stopped for good")
	f.StringVarP(&opts.Tail, "tail", "n", "all", `How many of each container's last lines to show, or "all"`)
	f.BoolVarP(&opts.Timestamps, "timestamps", "t", false, "Start each line with the time it was logged")
	f.StringVar(&opts.Since, "since", "", `Only lines logged since this time (e.g. 2026-01-02T15:04:05Z) or this long ago (e.g. 10m)`)
	f.StringVar(&opts.Until, "until", "", `Only lines logged before this time (e.g. 2026-01-02T15:04:05Z) or this long ago (e.g. 10m)`)
	f.BoolVar(&opts.NoColor, "no-color", false, "Print the container names without colours")
	f.BoolVar(&opts.NoLogPrefix, "no-log-prefix", false, "Print the lines without the container name in front")
	f.IntVar(&opts.Index, "index", 0, "Show only the container with this number, when a service has several")
	return c
}

func runLogs(ctx context.Context, deps *Deps, global *globalOptions, opts *logsOptions, services []string) error {
	tail, err := parseTail(opts.Tail)
	if err != nil {
		return err
	}
	if opts.Index < 0 {
		return fmt.Errorf("invalid --index %d: container numbers start at 1", opts.Index)
	}
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	return logs.Follow(ctx, s.engine, s.project.Name, logs.Options{
		Services: services, Index: opts.Index,
		Follow: opts.Follow, Tail: tail, Since: opts.Since, Until: opts.Until,
		Timestamps: opts.Timestamps, Prefix: !opts.NoLogPrefix,
		Color: !opts.NoColor && useColor(deps, global, deps.Out),
	}, deps.Out, deps.Err)
}

// parseTail reads --tail: "all" (or, as docker takes it, any negative
// number) for everything, else a count of lines.
func parseTail(v string) (int, error) {
	if v == "all" || v == "" {
		return -1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf(`invalid --tail %q: give a number of lines, or "all"`, v)
	}
	return max(n, -1), nil
}
