package cmd

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

func newTopCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:               "top [SERVICES...]",
		Short:             "Show the processes running in the services' containers",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runTop(c.Context(), deps, global, args)
		},
	}
}

// containerProcesses is one container's ps output, with what identifies
// the container in the table.
type containerProcesses struct {
	service, number string
	titles          []string
	rows            [][]string
}

func runTop(ctx context.Context, deps *Deps, global *globalOptions, services []string) error {
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	if err := requireServices(s, services); err != nil {
		return err
	}
	procs, err := topOf(ctx, s.engine, topContainers(o.Containers, services), global.Parallel)
	if err != nil {
		return err
	}
	return printTop(deps.Out, procs)
}

// topContainers are the containers top lists, sorted by name: those whose
// processes can be read (running or paused; a restarting one has none
// between two runs), one-off `run` containers included.
func topContainers(cs []engine.Container, services []string) []engine.Container {
	var out []engine.Container
	for _, c := range cs {
		if c.State != engine.StateRunning && c.State != engine.StatePaused {
			continue
		}
		if len(services) > 0 && !oneOf(c.Labels[convergence.LabelService], services...) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// topOf asks the engine for each container's processes, limit (-1: all)
// at once, and keeps them in the containers' order.
func topOf(ctx context.Context, e engine.Reader, cs []engine.Container, limit int) ([]containerProcesses, error) {
	out := make([]containerProcesses, len(cs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(limit)
	for i, c := range cs {
		g.Go(func() error {
			titles, rows, err := e.TopContainer(ctx, c.ID, "")
			if err != nil {
				return err
			}
			service := c.Labels[convergence.LabelService]
			if service == "" {
				service = c.Name
			}
			out[i] = containerProcesses{service: service, number: c.Labels[convergence.LabelContainerNumber], titles: titles, rows: rows}
			return nil
		})
	}
	return out, g.Wait()
}

// printTop prints every process of every container in one table, as
// docker compose does: SERVICE and # (the container's number) first,
// then each ps column in the order first seen, CMD last as it is the
// widest; a column a container's ps lacks reads "-". Nothing at all is
// printed when no process is.
func printTop(out io.Writer, procs []containerProcesses) error {
	columns := []string{"SERVICE", "#"}
	for _, p := range procs {
		for _, t := range p.titles {
			if !oneOf(t, columns...) {
				columns = append(columns, t)
			}
		}
	}
	if i := slices.Index(columns, "CMD"); i >= 0 {
		columns = append(append(columns[:i:i], columns[i+1:]...), "CMD")
	}
	w := tabwriter.NewWriter(out, 4, 1, 2, ' ', 0)
	wrote := false
	for _, p := range procs {
		for _, row := range p.rows {
			if !wrote {
				fmt.Fprintln(w, strings.Join(columns, "\t"))
				wrote = true
			}
			fmt.Fprintln(w, strings.Join(topRow(columns, p, row), "\t"))
		}
	}
	return w.Flush()
}

// topRow lays one process out in columns' order.
func topRow(columns []string, p containerProcesses, row []string) []string {
	cells := make([]string, len(columns))
	for i, col := range columns {
		switch j := slices.Index(p.titles, col); {
		case col == "SERVICE":
			cells[i] = p.service
		case col == "#":
			cells[i] = p.number
		case j >= 0 && j < len(row):
			cells[i] = row[j]
		default:
			cells[i] = "-"
		}
	}
	return cells
}
