package cmd

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/stack"
)

func newSwarmSpecsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "specs",
		Short: "Print, as JSON, the swarm service specs a deploy would send, for review",
		Long: "Print the service specs berth would send to the swarm for this project, as the Engine\n" +
			"API takes them, with images pinned to digests where the registry answers. Configs and\n" +
			"secrets not yet in the swarm show an empty id.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runSwarmSpecs(c.Context(), deps, global)
		},
	}
}

func runSwarmSpecs(ctx context.Context, deps *Deps, global *globalOptions) error {
	s, e, err := openSwarmSession(ctx, deps, global)
	if err != nil {
		return err
	}
	defer s.close()
	d, o, err := s.resolveStack(ctx, e)
	if err != nil {
		return err
	}
	specs, warnings, err := stack.Specs(s.project, o, d)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		s.warn(w)
	}
	out, err := json.MarshalIndent(specs, "", "  ")
	if err != nil {
		return err
	}
	_, err = deps.Out.Write(append(out, '\n'))
	return err
}
