package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// eventsOptions are the flags of `events`.
type eventsOptions struct {
	JSON bool
}

func newEventsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &eventsOptions{}
	c := &cobra.Command{
		Use:               "events [OPTIONS] [SERVICE...]",
		Short:             "Print the project's container events as they happen, until interrupted",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runEvents(c.Context(), deps, global, opts, args)
		},
	}
	c.Flags().BoolVar(&opts.JSON, "json", false, "Print one JSON object per event")
	return c
}

func runEvents(ctx context.Context, deps *Deps, global *globalOptions, opts *eventsOptions, services []string) error {
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkServices(ctx, s, services); err != nil {
		return err
	}
	events, errs := s.engine.Events(ctx, engine.Filter{Labels: []string{convergence.LabelProject + "=" + s.project.Name}})
	for e := range events {
		service := e.Attributes[convergence.LabelService]
		// Container events only, as docker compose shows; run containers
		// are left out as it leaves them out.
		if e.Type != "container" || e.Attributes[convergence.LabelOneoff] == "True" ||
			len(services) > 0 && !slices.Contains(services, service) {
			continue
		}
		if err := printEvent(deps.Out, e, service, opts.JSON); err != nil {
			return err
		}
	}
	return <-errs
}

// printEvent writes one event in docker compose's shapes: a text line
// (followed by an empty one, as compose prints it) or a JSON object.
// Attributes are the event's, compose's own labels left out, sorted.
func printEvent(w io.Writer, e engine.Event, service string, asJSON bool) error {
	attrs := map[string]string{}
	for k, v := range e.Attributes {
		if !strings.HasPrefix(k, "com.docker.compose.") {
			attrs[k] = v
		}
	}
	if asJSON {
		line, err := json.Marshal(map[string]any{
			"time": e.Time, "type": "container", "service": service, "id": e.ID, "action": e.Action, "attributes": attrs,
		})
		if err != nil {
			return fmt.Errorf("printing an event: %w", err)
		}
		_, err = fmt.Fprintf(w, "%s\n", line)
		return err
	}
	pairs := make([]string, 0, len(attrs))
	for k, v := range attrs {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	_, err := fmt.Fprintf(w, "%s container %s %s (%s)\n\n", e.Time.Format("2006-01-02 15:04:05.000000"), e.Action, e.ID, strings.Join(pairs, ", "))
	return err
}
