package cmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/build"
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
	QuietPull          bool
	Wait               bool
	WaitTimeout        int
	Yes                bool
	Build              bool
	NoBuild            bool
	Watch              bool
	attach             attachOptions
}

func newUpCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &upOptions{}
	c := &cobra.Command{
		Use:               "up [OPTIONS] [SERVICE...]",
		Short:             "Create and start the project, changing only what differs from the compose file",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runUp(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Detach, "detach", "d", false, "Return once the containers run, leaving them in the background")
	opts.attach.addFlags(c)
	opts.addCreateFlags(c)
	f.BoolVar(&opts.NoStart, "no-start", false, "Create what is missing but start nothing")
	f.BoolVar(&opts.NoDeps, "no-deps", false, "Leave the services' dependencies as they are")
	f.IntVarP(&opts.Timeout, "timeout", "t", -1, "Seconds to wait for a container being replaced to stop before it is killed")
	f.BoolVar(&opts.Wait, "wait", false, "Return only once every service runs (and is healthy, when it has a healthcheck); implies -d")
	f.IntVar(&opts.WaitTimeout, "wait-timeout", 0, "Give up --wait after this many seconds (0: no limit)")
	f.BoolVarP(&opts.Watch, "watch", "w", false, "Stay in the foreground and follow the services' develop.watch rules as files change")
	return c
}

// addCreateFlags adds the flags `up` and `create` share.
func (o *upOptions) addCreateFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringArrayVar(&o.Scale, "scale", nil, "Run NUM containers of SERVICE (SERVICE=NUM), whatever the file's scale says")
	f.BoolVar(&o.ForceRecreate, "force-recreate", false, "Replace the containers even when nothing changed")
	f.BoolVar(&o.NoRecreate, "no-recreate", false, "Keep existing containers even when their configuration changed")
	f.BoolVar(&o.AlwaysRecreateDeps, "always-recreate-deps", false, "Also replace the containers of the dependencies brought along")
	f.BoolVar(&o.RemoveOrphans, "remove-orphans", false, "Remove the project's containers whose service the file no longer has")
	f.BoolVarP(&o.RenewAnonVolumes, "renew-anon-volumes", "V", false, "Give replaced containers fresh anonymous volumes instead of the old ones' data")
	f.BoolVarP(&o.Yes, "yes", "y", false, `Answer "yes" to every question, such as recreating a changed volume`)
	f.StringVar(&o.Pull, "pull", convergence.PullPolicy, `When to pull images: "always", "missing", "never", or "policy" (each service's pull_policy)`)
	f.BoolVar(&o.QuietPull, "quiet-pull", false, "Show no progress while pulling")
	f.BoolVar(&o.Build, "build", false, "Build the images of the services with a build section before starting, even those already there")
	f.BoolVar(&o.NoBuild, "no-build", false, "Build nothing, even images that are missing")
}

// builds is --build or --no-build as the planner takes them.
func (o *upOptions) builds() string {
	switch {
	case o.Build:
		return convergence.BuildAlways
	case o.NoBuild:
		return convergence.BuildNever
	}
	return ""
}

func (o *upOptions) validate() error {
	if o.ForceRecreate && o.NoRecreate {
		return fmt.Errorf("--force-recreate and --no-recreate are incompatible")
	}
	if o.AlwaysRecreateDeps && o.NoRecreate {
		return fmt.Errorf("--always-recreate-deps and --no-recreate are incompatible")
	}
	if o.Build && o.NoBuild {
		return fmt.Errorf("--build and --no-build are incompatible")
	}
	if o.Watch && (o.Detach || o.Wait || o.NoStart) {
		return fmt.Errorf("--watch needs up to stay in the foreground: drop -d, --wait and --no-start, or run `berth watch --no-up` beside `up -d`")
	}
	switch o.Pull {
	case convergence.PullPolicy, convergence.PullAlways, convergence.PullMissing, convergence.PullNever:
	default:
		return fmt.Errorf("invalid --pull %q: use always, missing, never or policy", o.Pull)
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
	if err := opts.attach.validate(opts.Detach); err != nil {
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
	if opts.QuietPull {
		s.progress = progress.WithoutPulls(s.progress)
	}
	if err := project.CheckContainerNames(s.project); err != nil {
		return err
	}
	if err := checkScaleServices(s.project, scale); err != nil {
		return err
	}
	rules, err := opts.watchRules(s, services)
	if err != nil {
		return err
	}
	started := time.Now()
	o, err := s.observeWithImages(ctx)
	if err != nil {
		return err
	}
	upOpts := convergence.UpOptions{
		Services: services, NoDeps: opts.NoDeps, Scale: scale,
		ForceRecreate: opts.ForceRecreate, NoRecreate: opts.NoRecreate, AlwaysRecreateDeps: opts.AlwaysRecreateDeps,
		RemoveOrphans: opts.RemoveOrphans, RenewAnonVolumes: opts.RenewAnonVolumes, NoStart: opts.NoStart,
		Pull: opts.Pull, Version: Version, TempPrefix: randomPrefix, Confirm: confirmer(deps, opts.Yes),
		Build: s.buildFunc(build.Options{Version: Version}), Builds: opts.builds(),
	}
	if global.DryRun {
		upOpts.Confirm = func(string) bool { return opts.Yes } // a dry run asks nobody
	}
	plan := s.upPlanner(ctx, global, &upOpts)
	err = s.converge(ctx, global, opts.Timeout, o, plan)
	if err == nil && !global.DryRun && (pullsPresentImages(s.project, opts.Pull) || opts.Build) {
		upOpts.Pull = convergence.PullMissing // pulled already: the next plan pulls nothing again
		upOpts.Builds = ""                    // and builds nothing again: the images are there
		err = s.afterPulls(ctx, global, opts.Timeout, o.Images, plan)
	}
	switch {
	case err != nil || global.DryRun || opts.NoStart:
		return err
	case !opts.Detach && !opts.Wait:
		return s.runAttachedWatching(ctx, global, opts, services, rules, s.logFollower(global, &opts.attach, started, opts.followsUntilInterrupted()))
	case !opts.Wait:
		return nil
	}
	return convergence.WaitReady(ctx, s.engine, s.project.Name, s.graph.StartOrder(upServices(s, services, opts.NoDeps)),
		time.Duration(opts.WaitTimeout)*time.Second)
}

// upPlanner plans up with opts from each snapshot: the images looked up,
// orphans ignored where COMPOSE_IGNORE_ORPHANS says, the pull times read
// for the refresh policies. up and run plan with it.
func (s *session) upPlanner(ctx context.Context, global *globalOptions, opts *convergence.UpOptions) func(*convergence.Observed) (*convergence.Plan, error) {
	return func(o *convergence.Observed) (*convergence.Plan, error) {
		o, err := s.withImages(ctx, o)
		if err != nil {
			return nil, err
		}
		if o, err = ignoreOrphans(s, o, opts.RemoveOrphans); err != nil {
			return nil, err
		}
		if o, err = s.withPullTimes(ctx, o); err != nil {
			return nil, err
		}
		opts.Spec, opts.Now = s.specFunc(o.Images, s.engine.APIVersion(), global.EnvFiles), time.Now()
		return convergence.PlanUp(s.project, s.graph, o, *opts)
	}
}

// followsUntilInterrupted: up --watch shows the logs until Ctrl-C, as its
// rules stop containers that come back; only an abort policy, which needs
// the containers' exits to end up, keeps the usual end.
func (o *upOptions) followsUntilInterrupted() bool {
	a := o.attach
	return o.Watch && !a.AbortOnExit && !a.AbortOnFailure && a.ExitCodeFrom == ""
}

// checkScaleServices refuses --scale of a service the project does not
// have, as docker compose does: the planner would skip it silently, and a
// typo would go unnoticed.
func checkScaleServices(p *types.Project, scale map[string]int) error {
	for _, name := range slices.Sorted(maps.Keys(scale)) {
		if _, ok := p.Services[name]; !ok {
			return fmt.Errorf("invalid --scale %s=%d: no such service: %s", name, scale[name], name)
		}
	}
	return nil
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
	proxy := s.proxyEnv() // read once: specs are built per container
	return func(svc types.ServiceConfig, n int, name string, inherit []engine.Mount) (convergence.ContainerSpecResult, error) {
		o := convergence.SpecOptions{
			Name: name, ImageID: images[project.ImageName(p.Name, svc)], Version: Version,
			APIVersion: apiVersion, InheritMounts: inherit, EnvFiles: envFiles, ProxyEnv: proxy,
			ServiceContainer: func(dep string) string { return convergence.ContainerName(p.Name, p.Services[dep], 1) },
		}
		spec, warnings, err := convergence.ContainerSpecFor(p, svc, n, o)
		if err != nil {
			return convergence.ContainerSpecResult{}, err
		}
		extra, err := convergence.ExtraNetworks(p, svc, n, o)
		if err != nil {
			return convergence.ContainerSpecResult{}, err
		}
		endpoints, err := convergence.NetworkEndpoints(p, svc, n, o)
		return convergence.ContainerSpecResult{Spec: spec, Extra: extra, Warnings: warnings, Endpoints: endpoints}, err
	}
}

// observeWithImages takes the snapshot and looks up the services' images at
// once: neither depends on the other, so up pays one engine round trip.
func (s *session) observeWithImages(ctx context.Context) (*convergence.Observed, error) {
	var (
		images map[string]string
		o      *convergence.Observed
	)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		images, err = convergence.ObserveImages(gctx, s.engine, convergence.ImageRefs(s.project))
		return err
	})
	g.Go(func() (err error) { o, err = s.observe(gctx); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	o.Images = images
	return o, nil
}

// withImages adds the image lookup to a snapshot that lacks it: the fresh
// one converge takes after a stale plan, when images may have changed too.
func (s *session) withImages(ctx context.Context, o *convergence.Observed) (*convergence.Observed, error) {
	if o.Images != nil {
		return o, nil
	}
	images, err := convergence.ObserveImages(ctx, s.engine, convergence.ImageRefs(s.project))
	if err != nil {
		return nil, err
	}
	withImages := *o
	withImages.Images = images
	return &withImages, nil
}

// pullsPresentImages: --pull always, or a service's pull_policy always
// or a refresh interval, pulls images the engine has, whose id may then
// change.
func pullsPresentImages(p *types.Project, pull string) bool {
	if pull == convergence.PullAlways {
		return true
	}
	if pull != convergence.PullPolicy {
		return false
	}
	for _, svc := range p.Services {
		if svc.PullPolicy == types.PullPolicyAlways || refreshes(svc) {
			return true
		}
	}
	return false
}

// afterPulls plans once more when a pull gave an image the engine had
// before a new id. The plan that pulled it was made with the old id, so
// only now can the containers running it be seen as out of date and be
// recreated, as docker compose does by pulling before it plans.
func (s *session) afterPulls(ctx context.Context, global *globalOptions, timeout int, before map[string]string,
	plan func(*convergence.Observed) (*convergence.Plan, error)) error {
	now, err := convergence.ObserveImages(ctx, s.engine, convergence.ImageRefs(s.project))
	if err != nil {
		return err
	}
	changed := false
	for ref, id := range before {
		changed = changed || now[ref] != id
	}
	if !changed {
		return nil
	}
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	o.Images = now
	return s.converge(ctx, global, timeout, o, plan)
}
