package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/docker/go-units"
	"github.com/moby/moby/api/types/swarm"
	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/stack"
)

// swarmListOptions are the flags of `swarm ps` and `swarm services`.
type swarmListOptions struct {
	Quiet   bool
	Format  string
	NoTrunc bool
}

func (o *swarmListOptions) addFlags(c *cobra.Command, what string) {
	f := c.Flags()
	f.BoolVarP(&o.Quiet, "quiet", "q", false, "Print only the "+what+" ids")
	f.StringVar(&o.Format, "format", "table", `"table", or "json": one object per line`)
	f.BoolVar(&o.NoTrunc, "no-trunc", false, "Print whole ids and errors")
}

func (o *swarmListOptions) validate() error {
	if o.Format != "table" && o.Format != "json" {
		return fmt.Errorf("invalid --format %q: use table or json", o.Format)
	}
	return nil
}

// swarmListRun is the run function of a swarm listing command.
type swarmListRun func(ctx context.Context, deps *Deps, global *globalOptions, opts *swarmListOptions, services []string) error

// newSwarmListCommand is `swarm ps` or `swarm services`: the same flags,
// a row per item (what), another run function.
func newSwarmListCommand(deps *Deps, global *globalOptions, use, short, what string, run swarmListRun) *cobra.Command {
	opts := &swarmListOptions{}
	c := &cobra.Command{
		Use:   use + " [OPTIONS] [SERVICE...]",
		Short: short,
		RunE: func(c *cobra.Command, args []string) error {
			if err := opts.validate(); err != nil {
				return err
			}
			return run(c.Context(), deps, global, opts, args)
		},
	}
	opts.addFlags(c, what)
	return c
}

func newSwarmPsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return newSwarmListCommand(deps, global, "ps", "List the tasks of the project's stack: where each runs, and how it fares", "task", runSwarmPs)
}

// taskRow is one line of `swarm ps`, and its JSON form.
type taskRow struct {
	ID           string
	Name         string
	Image        string
	Node         string
	DesiredState string
	CurrentState string
	Error        string
	Ports        string
}

func runSwarmPs(ctx context.Context, deps *Deps, global *globalOptions, opts *swarmListOptions, services []string) error {
	s, e, o, keys, err := openStack(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	nodes := map[string]string{}
	list, err := e.ListNodes(ctx)
	if err != nil {
		return err
	}
	for _, n := range list {
		nodes[n.ID] = n.Description.Hostname
	}
	var rows []taskRow
	for _, key := range keys {
		svc := o.Services[key]
		tasks, err := e.ListTasks(ctx, svc.ID)
		if err != nil {
			return err
		}
		sortTasks(tasks)
		for _, t := range tasks {
			rows = append(rows, newTaskRow(svc, t, nodes, opts.NoTrunc))
		}
	}
	return writeSwarmRows(deps, opts, rows, "ID\tNAME\tIMAGE\tNODE\tDESIRED STATE\tCURRENT STATE\tERROR\tPORTS",
		func(r taskRow) string { return r.ID },
		func(r taskRow) []string {
			return []string{r.ID, r.Name, r.Image, r.Node, r.DesiredState, r.CurrentState, r.Error, r.Ports}
		})
}

// writeSwarmRows prints rows as -q (ids), --format json (one object per
// line) or a table under header.
func writeSwarmRows[T any](deps *Deps, opts *swarmListOptions, rows []T, header string, id func(T) string, cells func(T) []string) error {
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(deps.Out, id(r))
		}
		return nil
	case opts.Format == "json":
		return writeJSONLines(deps, rows)
	}
	w := tabwriter.NewWriter(deps.Out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(w, header)
	for _, r := range rows {
		fmt.Fprintln(w, strings.Join(cells(r), "\t"))
	}
	return w.Flush()
}

// portsText is published ports as docker service ls shows them.
func portsText(ports []swarm.PortConfig) string {
	out := make([]string, 0, len(ports))
	for _, p := range ports {
		out = append(out, fmt.Sprintf("*:%d->%d/%s", p.PublishedPort, p.TargetPort, p.Protocol))
	}
	return strings.Join(out, ",")
}

// stackServices picks the named services of the stack, all when none is
// named, sorted.
func stackServices(o *stack.Observed, names []string) ([]string, error) {
	if len(names) == 0 {
		return slices.Sorted(mapsKeys(o.Services)), nil
	}
	for _, n := range names {
		if _, ok := o.Services[n]; !ok {
			return nil, fmt.Errorf("stack %s has no service %q", o.Namespace, n)
		}
	}
	return slices.Sorted(slices.Values(names)), nil
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// sortTasks orders by slot (or node), newest first within one.
func sortTasks(tasks []swarm.Task) {
	slices.SortStableFunc(tasks, func(a, b swarm.Task) int {
		if a.Slot != b.Slot {
			return a.Slot - b.Slot
		}
		if a.NodeID != b.NodeID {
			return strings.Compare(a.NodeID, b.NodeID)
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
}

func newTaskRow(svc swarm.Service, t swarm.Task, nodes map[string]string, noTrunc bool) taskRow {
	r := taskRow{
		ID: t.ID, Node: nodes[t.NodeID], DesiredState: titleCase(string(t.DesiredState)),
		CurrentState: fmt.Sprintf("%s %s ago", titleCase(string(t.Status.State)), units.HumanDuration(time.Since(t.Status.Timestamp))),
		Error:        t.Status.Err,
	}
	if t.Slot > 0 {
		r.Name = fmt.Sprintf("%s.%d", svc.Spec.Name, t.Slot)
	} else {
		r.Name = svc.Spec.Name + "." + t.NodeID
	}
	if t.Spec.ContainerSpec != nil {
		r.Image = t.Spec.ContainerSpec.Image
	}
	r.Ports = portsText(t.Status.PortStatus.Ports)
	if !noTrunc {
		r.ID = truncate(r.ID, 12)
		r.Image, _, _ = strings.Cut(r.Image, "@") // the digest is in --no-trunc
		r.Error = truncate(r.Error, 40)
	}
	return r
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func writeJSONLines[T any](deps *Deps, rows []T) error {
	enc := json.NewEncoder(deps.Out)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}
