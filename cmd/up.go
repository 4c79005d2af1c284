package cmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

// upOptions are the flags of `up` (and `create`, which is up --no-start).
type upOptions struct {
	Detach             bool
	Scale              []string
	NoDeps             bool
	ForceRecreate      bool
	NoRecreate         bool
	AlwaysRecreateDeps bool
	RemoveOrphans      bool
	RenewAnonVolumes   bool
	NoStart            bool
	Timeout            int
	Pull               string
	Wait               bool
	WaitTimeout        int
}

func newUpCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &upOptions{}
	c := &cobra.Command{
		Use:               "up [OPTIONS] [SERVICE...]",
		Short:             "Create and start containers",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			if !opts.Detach && !opts.Wait {
				fmt.Fprintln(deps.Err, "berth: attaching to logs is not supported yet; running detached (as with -d)")
			}
			return runUp(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Detach, "detach", "d", false, "Detached mode: Run containers in the background")
	opts.addCreateFlags(c)
	f.BoolVar(&opts.NoStart, "no-start", false, "Don't start the services after creating them")
	f.BoolVar(&opts.NoDeps, "no-deps", false, "Don't start linked services")
	f.IntVarP(&opts.Timeout, "timeout", "t", -1, "Use this timeout in seconds for container shutdown when containers are already running")
	f.BoolVar(&opts.Wait, "wait", false, "Wait for services to be running|healthy. Implies detached mode.")
	f.IntVar(&opts.WaitTimeout, "wait-timeout", 0, "Maximum duration in seconds to wait for the project to be running|healthy")
	return c
}

// addCreateFlags adds the flags `up` and `create` share.
func (o *upOptions) addCreateFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringArrayVar(&o.Scale, "scale", nil, "Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Recreate containers even if their configuration and image haven't changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
	f.BoolVar(&o.AlwaysRecreateDeps, "always-recreate-deps", false, "Recreate dependent containers. Incompatible with --no-recreate.")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	f.BoolVarP(&o.RenewAnonVolumes, "renew-anon-volumes", "V", false, "Recreate anonymous volumes instead of retrieving data from the previous containers")
	f.StringVar(&o.Pull, "pull", "missing", `Pull image before running ("missing"|"never")`)
}

func (o *upOptions) validate() error {
	if o.ForceRecreate && o.NoRecreate {
		return fmt.Errorf("--force-recreate and --no-recreate are incompatible")
	}
	if o.AlwaysRecreateDeps && o.NoRecreate {
		return fmt.Errorf("--always-recreate-deps and --no-recreate are incompatible")
	}
	if o.Pull != "missing" && o.Pull != "never" {
		return fmt.Errorf("invalid --pull %q: use missing or never", o.Pull)
	}
	return nil
}

// scale parses --scale SERVICE=N.
func (o *upOptions) scale() (map[string]int, error) {
	out := map[string]int{}
	for _, v := range o.Scale {
		name, num, ok := strings.Cut(v, "=")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 0 {
			return nil, fmt.Errorf("invalid --scale %q: use SERVICE=NUMBER", v)
		}
		out[name] = n
	}
	return out, nil
}

func runUp(ctx context.Context, deps *Deps, global *globalOptions, opts *upOptions, services []string) error {
	if err := opts.validate(); err != nil {
		return err
	}
	scale, err := opts.scale()
	if err != nil {
		return err
	}
	s, err := openLockedSession(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	if err := project.CheckContainerNames(s.project); err != nil {
		return err
	}
	// Neither depends on the other: one engine round trip saved.
	var (
		images map[string]string
		o      *convergence.Observed
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { images, err = s.ensureImages(gctx, opts.Pull, global.DryRun); return err })
	g.Go(func() (err error) { o, err = s.observe(gctx); return err })
	if err := g.Wait(); err != nil {
		return err
	}
	upOpts := convergence.UpOptions{
		Services: services, NoDeps: opts.NoDeps, Scale: scale,
		ForceRecreate: opts.ForceRecreate, NoRecreate: opts.NoRecreate, AlwaysRecreateDeps: opts.AlwaysRecreateDeps,
		RemoveOrphans: opts.RemoveOrphans, RenewAnonVolumes: opts.RenewAnonVolumes, NoStart: opts.NoStart,
		ImageIDs: images, Version: Version, TempPrefix: randomPrefix,
		Spec: s.specFunc(images, s.engine.APIVersion(), global.EnvFiles),
	}
	err = s.converge(ctx, global, opts.Timeout, o, func(o *convergence.Observed) (*convergence.Plan, error) {
		o, err := ignoreOrphans(s, o, opts.RemoveOrphans)
		if err != nil {
			return nil, err
		}
		return convergence.PlanUp(s.project, s.graph, o, upOpts)
	})
	if err != nil || !opts.Wait || global.DryRun || opts.NoStart {
		return err
	}
	return convergence.WaitReady(ctx, s.engine, s.project.Name, s.graph.StartOrder(upServices(s, services, opts.NoDeps)),
		time.Duration(opts.WaitTimeout)*time.Second)
}

// randomPrefix starts a successor's temporary name: random, so that a
// container an interrupted recreate left under one is never in the way.
func randomPrefix() string {
	b := make([]byte, 6)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// upServices is what up brought up: the named services (all when none),
// with their dependencies unless --no-deps.
func upServices(s *session, services []string, noDeps bool) []string {
	switch {
	case len(services) == 0:
		return s.graph.Services()
	case noDeps:
		return services
	}
	return s.graph.DependencyClosure(services...)
}

// specFunc builds container specs for the planner from what the engine said.
func (s *session) specFunc(images map[string]string, apiVersion string, envFiles []string) convergence.SpecFunc {
	p := s.project
	return func(svc types.ServiceConfig, n int, name string, inherit []engine.Mount) (convergence.ContainerSpecResult, error) {
		o := convergence.SpecOptions{
			Name: name, ImageID: images[project.ImageName(p.Name, svc)], Version: Version,
			APIVersion: apiVersion, InheritMounts: inherit, EnvFiles: envFiles,
			ServiceContainer: func(dep string) string { return convergence.ContainerName(p.Name, p.Services[dep], 1) },
		}
		spec, warnings, err := convergence.ContainerSpecFor(p, svc, n, o)
		if err != nil {
			return convergence.ContainerSpecResult{}, err
		}
		extra, err := convergence.ExtraNetworks(p, svc, n, o)
		return convergence.ContainerSpecResult{Spec: spec, Extra: extra, Warnings: warnings}, err
	}
}

// ensureImages finds the image of every service, pulling missing ones
// unless told not to, and returns reference → image id.
func (s *session) ensureImages(ctx context.Context, pull string, dryRun bool) (map[string]string, error) {
	ids := map[string]string{}
	for _, name := range s.project.ServiceNames() {
		svc := s.project.Services[name]
		ref := project.ImageName(s.project.Name, svc)
		if _, done := ids[ref]; done {
			continue
		}
		id, err := s.engine.ImageID(ctx, ref)
		if err == nil {
			ids[ref] = id
			continue
		}
		if !engine.IsNotFound(err) {
			return nil, err
		}
		if id, err = s.pull(ctx, svc, ref, pull, dryRun); err != nil {
			return nil, err
		}
		ids[ref] = id
	}
	return ids, nil
}

func (s *session) pull(ctx context.Context, svc types.ServiceConfig, ref, policy string, dryRun bool) (string, error) {
	switch {
	case svc.Image == "" && svc.Build != nil:
		return "", fmt.Errorf("service %s has no image and berth cannot build images yet; build it (docker build -t %s) first", svc.Name, ref)
	case policy == "never" || svc.PullPolicy == types.PullPolicyNever:
		return "", fmt.Errorf("service %s: image %s not found, and pulling is disabled (--pull never or pull_policy: never)", svc.Name, ref)
	case dryRun:
		return "", nil
	}
	resource := "Image " + ref
	s.progress.Emit(progress.Event{Resource: resource, Status: progress.Working, Text: "Pulling"})
	if err := s.engine.PullImage(ctx, ref, nil); err != nil {
		s.progress.Emit(progress.Event{Resource: resource, Status: progress.Error, Text: "Error", Err: err})
		return "", fmt.Errorf("service %s: %w", svc.Name, err)
	}
	s.progress.Emit(progress.Event{Resource: resource, Status: progress.Done, Text: "Pulled"})
	return s.engine.ImageID(ctx, ref)
}
