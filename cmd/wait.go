package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/engine"
)

// waitOptions are the flags of `wait`.
type waitOptions struct {
	DownProject bool
}

func newWaitCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &waitOptions{}
	c := &cobra.Command{
		Use:               "wait SERVICE [SERVICE...]",
		Short:             "Wait until the services' containers stop, and exit with the first one's exit code",
		Args:              cobra.MinimumNArgs(1),
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runWait(c.Context(), deps, global, opts, args)
		},
	}
	c.Flags().BoolVar(&opts.DownProject, "down-project", false, "Take the whole project down once the first of them stops")
	return c
}

// exited is one container's end, as wait reports it.
type exited struct {
	id   string
	code int
	err  error
}

func runWait(ctx context.Context, deps *Deps, global *globalOptions, opts *waitOptions, services []string) error {
	s, err := openSessionOrByName(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkServices(ctx, s, services); err != nil {
		return err
	}
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	var containers []engine.Container
	for _, svc := range services {
		containers = append(containers, o.AllServiceContainers(svc)...)
	}
	if len(containers) == 0 {
		return fmt.Errorf("project %s has no containers for %v: nothing to wait for", s.project.Name, services)
	}
	results := make(chan exited, len(containers))
	for _, c := range containers {
		go func() {
			code, err := s.engine.WaitContainer(ctx, c.ID)
			results <- exited{id: c.ID, code: code, err: err}
		}()
	}
	first := -1
	for range containers {
		r := <-results
		if r.err != nil {
			return r.err
		}
		fmt.Fprintf(deps.Out, "container %q exited with status code %d\n", r.id, r.code)
		if first < 0 {
			first = r.code
		}
		if opts.DownProject {
			break
		}
	}
	if opts.DownProject {
		s.close() // down takes the project lock and a session of its own
		if err := runDown(ctx, deps, global, &downOptions{RemoveOrphans: true, Timeout: -1}, nil); err != nil {
			return err
		}
	}
	return exitWith(first)
}
