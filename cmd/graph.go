package cmd

import "github.com/spf13/cobra"

func newGraphCommand(deps *Deps, global *globalOptions) *cobra.Command {
	return &cobra.Command{Use: "graph", Hidden: true}
}
