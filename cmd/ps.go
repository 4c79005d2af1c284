package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"text/template"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// psOptions are the flags of `ps`.
type psOptions struct {
	All      bool
	Quiet    bool
	Services bool
	Status   []string
	Filter   string
	Format   string
	NoTrunc  bool
}

func newPsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &psOptions{}
	c := &cobra.Command{
		Use:               "ps [OPTIONS] [SERVICE...]",
		Short:             "List the project's containers",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runPs(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.All, "all", "a", false, "Include stopped containers and one-off run containers")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Print only the container ids")
	f.BoolVar(&opts.Services, "services", false, "Print only the service names")
	f.StringArrayVar(&opts.Status, "status", nil, "Show only containers in this state: paused, restarting, removing, running, dead, created or exited (repeatable)")
	f.StringVar(&opts.Filter, "filter", "", "Filter as KEY=VALUE; status=STATE is supported")
	f.StringVar(&opts.Format, "format", "table", "Output format: table, json, or a Go template")
	f.BoolVar(&opts.NoTrunc, "no-trunc", false, "Print ids and commands in full")
	return c
}

// psRow is one container as ps shows it; the field names are what --format
// templates use, as in docker compose.
type psRow struct {
	ID         string      `json:"ID"`
	Name       string      `json:"Name"`
	Image      string      `json:"Image"`
	Command    string      `json:"Command"`
	Project    string      `json:"Project"`
	Service    string      `json:"Service"`
	Created    int64       `json:"Created"`
	CreatedAt  string      `json:"CreatedAt"`
	RunningFor string      `json:"RunningFor"`
	State      string      `json:"State"`
	Status     string      `json:"Status"`
	Health     string      `json:"Health"`
	ExitCode   int         `json:"ExitCode"`
	Ports      string      `json:"Ports"`
	Publishers []publisher `json:"Publishers"`
	Labels     map[string]string
}

func runPs(ctx context.Context, deps *Deps, global *globalOptions, opts *psOptions, services []string) error {
	if opts.Filter != "" {
		key, value, ok := strings.Cut(opts.Filter, "=")
		if !ok || key != "status" {
			return fmt.Errorf("invalid --filter %q: only status=<status> is supported", opts.Filter)
		}
		opts.Status = append(opts.Status, value)
	}
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	rows := psRows(o, services, opts)
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(deps.Out, r.ID)
		}
	case opts.Services:
		printServices(deps.Out, rows)
	default:
		return printPs(deps.Out, rows, opts)
	}
	return nil
}

func psRows(o *convergence.Observed, services []string, opts *psOptions) []psRow {
	var rows []psRow
	for _, c := range o.Containers {
		if c.Labels[convergence.LabelOneoff] == "True" && !opts.All {
			continue
		}
		if len(services) > 0 && !slices.Contains(services, c.Labels[convergence.LabelService]) {
			continue
		}
		if !wanted(c, opts) {
			continue
		}
		rows = append(rows, psRow{ID: c.ID, Name: c.Name, Image: c.Image, Command: c.Command, Project: o.Project,
			Service: c.Labels[convergence.LabelService], Created: c.Created.Unix(),
			CreatedAt: c.Created.String(), RunningFor: ago(c.Created),
			State: string(c.State), Status: c.Status, Health: healthOf(c.Status), ExitCode: exitCodeOf(c.Status),
			Ports: displayPorts(c.Ports), Publishers: publishers(c.Ports), Labels: c.Labels})
	}
	return rows
}

// wanted: without -a or --status, ps shows running containers only.
func wanted(c engine.Container, opts *psOptions) bool {
	if len(opts.Status) > 0 {
		return slices.Contains(opts.Status, string(c.State))
	}
	return opts.All || c.State == engine.StateRunning || c.State == engine.StateRestarting || c.State == engine.StatePaused
}

func printServices(out io.Writer, rows []psRow) {
	seen := map[string]bool{}
	var names []string
	for _, r := range rows {
		if !seen[r.Service] {
			seen[r.Service] = true
			names = append(names, r.Service)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(out, n)
	}
}

func printPs(out io.Writer, rows []psRow, opts *psOptions) error {
	switch opts.Format {
	case "json":
		for _, r := range rows {
			line, err := json.Marshal(r)
			if err != nil {
				return err
			}
			fmt.Fprintln(out, string(line))
		}
		return nil
	case "table", "":
		w := tabwriter.NewWriter(out, 10, 1, 3, ' ', 0) // the docker CLI's table layout
		fmt.Fprintln(w, "NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS")
		for _, r := range rows {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Image, displayCommand(r.Command, opts.NoTrunc),
				r.Service, r.RunningFor, r.Status, r.Ports)
		}
		return w.Flush()
	}
	tmpl, err := template.New("ps").Parse(strings.TrimPrefix(opts.Format, "table "))
	if err != nil {
		return fmt.Errorf("invalid --format template: %w", err)
	}
	for _, r := range rows {
		// A template sees what docker's formatter gives it: a short ID and
		// the COMMAND column's quoted, cut command, unless --no-trunc.
		if !opts.NoTrunc {
			r.ID = r.ID[:min(12, len(r.ID))]
		}
		r.Command = displayCommand(r.Command, opts.NoTrunc)
		if err := tmpl.Execute(out, r); err != nil {
			return fmt.Errorf("--format: %w", err)
		}
		fmt.Fprintln(out)
	}
	return nil
}

// ago renders a creation time the way docker does: "5 seconds ago".
// ago words a time as docker's CREATED column does ("About a minute ago"),
// with the docker CLI's own helper.
func ago(t time.Time) string { return units.HumanDuration(time.Since(t)) + " ago" }
