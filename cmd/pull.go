package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/progress"
)

// pullOptions are the flags of `pull`.
type pullOptions struct {
	Quiet              bool
	IncludeDeps        bool
	IgnorePullFailures bool
	IgnoreBuildable    bool
	Policy             string
}

func newPullCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &pullOptions{}
	c := &cobra.Command{
		Use:               "pull [OPTIONS] [SERVICE...]",
		Short:             "Pull the services' images from their registries, each image once",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runPull(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Quiet, "quiet", "q", false, "Show no progress, only errors")
	f.BoolVar(&opts.IncludeDeps, "include-deps", false, "Also pull the images of the services' dependencies")
	f.BoolVar(&opts.IgnorePullFailures, "ignore-pull-failures", false, "Pull what can be pulled; a failed pull only warns")
	f.BoolVar(&opts.IgnoreBuildable, "ignore-buildable", false, "Leave out the services that have a build section")
	f.StringVar(&opts.Policy, "policy", "", `Pull "missing" images only, or "always", whatever each service's pull_policy says`)
	return c
}

func runPull(ctx context.Context, deps *Deps, global *globalOptions, opts *pullOptions, services []string) error {
	if !oneOf(opts.Policy, "", "missing", "always") {
		return fmt.Errorf("invalid --policy %q: use missing or always", opts.Policy)
	}
	s, err := openSession(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	selected := imageServices(s, services, opts.IncludeDeps)
	images, err := convergence.ObserveImages(ctx, s.engine, namedImages(s, selected))
	if err != nil {
		return err
	}
	ip, err := convergence.PlanPull(s.project, selected, images, convergence.PullOptions{
		Policy: opts.Policy, IgnoreBuildable: opts.IgnoreBuildable, IgnoreFailures: opts.IgnorePullFailures,
	})
	if err != nil {
		return err
	}
	err = s.applyImagePlan(ctx, global, ip, opts.Quiet)
	if global.DryRun || ctx.Err() != nil {
		return err
	}
	return errors.Join(err, s.warnMustBuild(ctx, ip))
}

// imageServices is what `pull` and `push` work on: the services named (all
// when none are), with their dependencies when asked.
func imageServices(s *session, named []string, withDeps bool) []string {
	switch {
	case len(named) == 0:
		return s.graph.Services()
	case withDeps:
		return s.graph.DependencyClosure(named...)
	}
	return named
}

// namedImages lists the images the services name, sorted, once each.
func namedImages(s *session, services []string) []string {
	var refs []string
	for _, name := range services {
		if ref := s.project.Services[name].Image; ref != "" && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	slices.Sort(refs)
	return refs
}

// applyImagePlan shows the skips and carries out the pulls or pushes, in
// parallel up to --parallel; with quiet, nothing shows but the error. A
// dry run prints the plan instead.
func (s *session) applyImagePlan(ctx context.Context, global *globalOptions, ip *convergence.ImagePlan, quiet bool) error {
	if global.DryRun {
		_, err := fmt.Fprint(s.deps.Out, ip.Plan.String())
		return err
	}
	var sink progress.Sink = s.progress
	if quiet {
		sink = progress.Discard
	}
	ip.Emit(sink, time.Now())
	return convergence.Apply(ctx, s.engine, ip.Plan, sink, convergence.ApplyOptions{
		Project: s.project.Name,
		Limit:   global.Parallel,
		Auth:    s.registryAuth,
		Pulled:  s.recordPull,
	})
}

// warnMustBuild says which services have no image yet because their
// pull failed and they must be built: those pulls only warned.
func (s *session) warnMustBuild(ctx context.Context, ip *convergence.ImagePlan) error {
	var buildable []string
	for _, a := range ip.Plan.Actions {
		if a.Kind == convergence.PullImage && a.Optional && allBuilt(s, a.Services) {
			buildable = append(buildable, a.Resource)
		}
	}
	if len(buildable) == 0 {
		return nil
	}
	present, err := convergence.ObserveImages(ctx, s.engine, buildable)
	if err != nil {
		return err
	}
	var build []string
	for _, a := range ip.Plan.Actions {
		if _, ok := present[a.Resource]; slices.Contains(buildable, a.Resource) && !ok {
			build = append(build, a.Services...)
		}
	}
	if len(build) > 0 {
		slices.Sort(build)
		s.progress.Close() // its last lines first
		fmt.Fprintf(s.deps.Err, "warning: some images could not be pulled and must be built from source: berth build %s\n", strings.Join(build, " "))
	}
	return nil
}

func allBuilt(s *session, services []string) bool {
	for _, name := range services {
		if s.project.Services[name].Build == nil {
			return false
		}
	}
	return true
}
