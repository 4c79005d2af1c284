package cmd

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/moby/moby/api/types/swarm"
	"github.com/spf13/cobra"
)

func newSwarmServicesCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return newSwarmListCommand(deps, global, "services", "List the services of the project's stack, with their running and wanted tasks", "service", runSwarmServices)
}

// serviceRow is one line of `swarm services`, and its JSON form.
type serviceRow struct {
	ID       string
	Name     string
	Mode     string
	Replicas string
	Image    string
	Ports    string
}

func runSwarmServices(ctx context.Context, deps *Deps, global *globalOptions, opts *swarmListOptions, services []string) error {
	s, e, o, keys, err := openStack(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	var rows []serviceRow
	for _, key := range keys {
		svc := o.Services[key]
		tasks, err := e.ListTasks(ctx, svc.ID)
		if err != nil {
			return err
		}
		rows = append(rows, newServiceRow(svc, tasks, opts.NoTrunc))
	}
	switch {
	case opts.Quiet:
		for _, r := range rows {
			fmt.Fprintln(deps.Out, r.ID)
		}
		return nil
	case opts.Format == "json":
		return writeJSONLines(deps, rows)
	}
	w := tabwriter.NewWriter(deps.Out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Name, r.Mode, r.Replicas, r.Image, r.Ports)
	}
	return w.Flush()
}

func newServiceRow(svc swarm.Service, tasks []swarm.Task, noTrunc bool) serviceRow {
	r := serviceRow{ID: svc.ID, Name: svc.Spec.Name}
	running, desired := 0, 0
	for _, t := range tasks {
		if t.DesiredState == swarm.TaskStateRunning || t.DesiredState == swarm.TaskStateComplete {
			desired++
			if t.Status.State == swarm.TaskStateRunning || t.Status.State == swarm.TaskStateComplete {
				running++
			}
		}
	}
	m := svc.Spec.Mode
	switch {
	case m.Replicated != nil:
		r.Mode = "replicated"
		if m.Replicated.Replicas != nil {
			desired = int(*m.Replicated.Replicas)
		}
	case m.Global != nil:
		r.Mode = "global"
	case m.ReplicatedJob != nil:
		r.Mode = "replicated job"
	case m.GlobalJob != nil:
		r.Mode = "global job"
	}
	r.Replicas = fmt.Sprintf("%d/%d", running, desired)
	if cs := svc.Spec.TaskTemplate.ContainerSpec; cs != nil {
		r.Image = cs.Image
	}
	var ports []string
	if svc.Endpoint.Ports != nil {
		for _, p := range svc.Endpoint.Ports {
			ports = append(ports, fmt.Sprintf("*:%d->%d/%s", p.PublishedPort, p.TargetPort, p.Protocol))
		}
	}
	r.Ports = strings.Join(ports, ",")
	if !noTrunc {
		r.ID = truncate(r.ID, 12)
		r.Image, _, _ = strings.Cut(r.Image, "@")
	}
	return r
}
