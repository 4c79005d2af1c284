package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/convergence"
)

// buildOptions are the flags of `build`.
type buildOptions struct {
	NoCache          bool
	Pull             bool
	Args             []string
	Quiet            bool
	WithDependencies bool
	Push             bool
	SSH              []string
	Memory           string
	Builder          string
}

func newBuildCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &buildOptions{}
	c := &cobra.Command{
		Use:               "build [OPTIONS] [SERVICE...]",
		Short:             "Build the images of the services that have a build section",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runBuild(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.NoCache, "no-cache", false, "Run every step again instead of reusing earlier results")
	f.BoolVar(&opts.Pull, "pull", false, "Look for a newer version of each base image")
	f.StringArrayVar(&opts.Args, "build-arg", nil, "Set a build argument KEY=VALUE, or KEY to pass its value from the environment (repeatable)")
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Show nothing but errors")
	f.BoolVar(&opts.WithDependencies, "with-dependencies", false, "Also build the images of the services the named ones depend on")
	f.BoolVar(&opts.Push, "push", false, "Push the images once built")
	f.StringArrayVar(&opts.SSH, "ssh", nil, `Give RUN --mount=type=ssh steps an SSH agent or keys: "default", or ID=PATH[,PATH] (repeatable)`)
	f.StringVarP(&opts.Memory, "memory", "m", "", "Memory limit of the build's steps, e.g. 512m")
	f.StringVar(&opts.Builder, "builder", "", `Builder to use; berth builds with the engine's own ("default")`)
	return c
}

// options turns the flags every command that builds shares into the build
// package's options.
func (o *buildOptions) options() (build.Options, error) {
	out := build.Options{NoCache: o.NoCache, Pull: o.Pull, Args: o.Args, Version: Version}
	if o.Memory != "" {
		n, err := units.RAMInBytes(o.Memory)
		if err != nil || n <= 0 {
			return out, fmt.Errorf("invalid --memory %q: give a size such as 512m or 2g", o.Memory)
		}
		out.Memory = n
	}
	keys, err := parseSSH(o.SSH)
	if err != nil {
		return out, err
	}
	out.SSH = keys
	return out, nil
}

func (o *buildOptions) validate() error {
	if o.Builder != "" && o.Builder != "default" {
		return fmt.Errorf("invalid --builder %q: berth builds with the Docker engine's own BuildKit, the \"default\" builder; drop --builder, or build with docker buildx", o.Builder)
	}
	return nil
}

// parseSSH reads --ssh: "default" (the agent at $SSH_AUTH_SOCK), ID (an
// agent under that id) or ID=PATH[,PATH] (an agent socket or key files).
func parseSSH(values []string) ([]types.SSHKey, error) {
	var keys []types.SSHKey
	for _, v := range values {
		id, paths, _ := strings.Cut(v, "=")
		if id == "" {
			return nil, fmt.Errorf("invalid --ssh %q: use default, ID, or ID=PATH", v)
		}
		if paths == "" {
			keys = append(keys, types.SSHKey{ID: id})
			continue
		}
		for _, p := range strings.Split(paths, ",") {
			keys = append(keys, types.SSHKey{ID: id, Path: p})
		}
	}
	return keys, nil
}

func runBuild(ctx context.Context, deps *Deps, global *globalOptions, opts *buildOptions, services []string) error {
	if err := opts.validate(); err != nil {
		return err
	}
	bo, err := opts.options()
	if err != nil {
		return err
	}
	if opts.Quiet {
		quiet := *global
		quiet.Progress = "quiet"
		global = &quiet
	}
	s, err := openLockedSession(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	images, err := convergence.ObserveImages(ctx, s.engine, convergence.ImageRefs(s.project))
	if err != nil {
		return err
	}
	plan, err := convergence.PlanBuild(s.project, s.graph, &convergence.Observed{Project: s.project.Name, Images: images},
		convergence.BuildOptions{Services: services, WithDependencies: opts.WithDependencies, Build: s.buildFunc(bo)})
	if err != nil {
		return err
	}
	if err := s.applyWithTimeout(ctx, global, plan, -1); err != nil || !opts.Push {
		return err
	}
	// --push: what was built goes to its registry, as `push` would send it.
	ip, err := convergence.PlanPush(s.project, imageServices(s, services, opts.WithDependencies), convergence.PushOptions{})
	if err != nil {
		return err
	}
	return s.applyImagePlan(ctx, global, ip, opts.Quiet)
}

// buildFunc prepares the builds the planner asks for, with the command's
// options.
func (s *session) buildFunc(o build.Options) convergence.BuildFunc {
	return func(svc types.ServiceConfig) (*build.Build, error) {
		b, err := build.Prepare(s.project, svc, o)
		if b != nil {
			b.Request.Auth = s.registryAuthForHost // for a FROM in a private registry
		}
		return b, err
	}
}
