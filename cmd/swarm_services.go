package cmd

import (
	"context"
	"fmt"
	"strings"

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
	return writeSwarmRows(deps, opts, rows, "ID\tNAME\tMODE\tREPLICAS\tIMAGE\tPORTS",
		func(r serviceRow) string { return r.ID },
		func(r serviceRow) []string { return []string{r.ID, r.Name, r.Mode, r.Replicas, r.Image, r.Ports} })
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
	r.Ports = portsText(svc.Endpoint.Ports)
	if !noTrunc {
		r.ID = truncate(r.ID, 12)
		r.Image, _, _ = strings.Cut(r.Image, "@")
	}
	return r
}
