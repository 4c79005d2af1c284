package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
	"github.com/berth-compose/berth/watch"
)

// watchOptions are the flags of `watch`.
type watchOptions struct {
	NoUp  bool
	Prune bool
	Quiet bool
}

func newWatchCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &watchOptions{}
	c := &cobra.Command{
		Use:               "watch [SERVICE...]",
		Short:             "Bring the project up, then follow its develop.watch rules as files change, until Ctrl-C",
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runWatch(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVar(&opts.NoUp, "no-up", false, "Watch the running project as it is, without bringing it up first")
	f.BoolVar(&opts.Prune, "prune", true, "Remove the dangling images a rebuild leaves behind")
	f.BoolVar(&opts.Quiet, "quiet", false, "Show no build progress when a rule rebuilds a service")
	return c
}

func runWatch(ctx context.Context, deps *Deps, global *globalOptions, opts *watchOptions, services []string) error {
	s, err := openSession(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	// The rules are checked before anything starts: a broken rule is
	// found now rather than at the first save.
	rules, err := watch.Rules(s.project, services)
	if err != nil {
		return err
	}
	if !opts.NoUp {
		if err := runUp(ctx, deps, global, watchUpOptions(false), services); err != nil {
			return err
		}
	}
	return s.watch(ctx, global, opts, rules)
}

// watchUpOptions are those of the `up -d` watch brings the project up
// with, and (build) of the rebuild of one service.
func watchUpOptions(build bool) *upOptions {
	return &upOptions{Detach: true, Pull: convergence.PullPolicy, Timeout: -1, Build: build, NoDeps: build}
}

// watch runs the rules until ctx ends. It holds no project lock while it
// waits, so other berth commands work meanwhile; a rebuild takes the lock
// through up.
func (s *session) watch(ctx context.Context, global *globalOptions, opts *watchOptions, rules []watch.Rule) error {
	syncer := &watch.Syncer{
		Engine: s.engine, Project: s.project.Name, Rules: rules,
		Rebuild: func(ctx context.Context, service string) error { return s.rebuild(ctx, global, opts, service) },
	}
	notice, failed := s.watchOutput(global)
	syncer.Notice = notice
	notice("", fmt.Sprintf("Watching %s: %d rules, press Ctrl-C to stop (the project keeps running)", s.project.Name, len(rules)))
	return watch.Run(ctx, syncer, failed)
}

// watchOutput is how watch reports what it does: with --progress json as
// events through the renderer, so the stream stays JSON; with quiet only
// the errors; else one plain line each on stderr.
func (s *session) watchOutput(global *globalOptions) (notice func(service, msg string), failed func(error)) {
	name := func(service string) string {
		if service == "" {
			return s.project.Name
		}
		return service
	}
	switch global.progressMode() {
	case progress.ModeJSON:
		notice = func(service, msg string) {
			s.progress.Emit(progress.Event{Kind: progress.Service, Name: name(service), Status: progress.Done, Text: msg, Time: time.Now()})
		}
		failed = func(err error) {
			s.progress.Emit(progress.Event{Kind: progress.Service, Name: s.project.Name, Status: progress.Error, Text: "Error", Err: err, Time: time.Now()})
		}
		return notice, failed
	case progress.ModeQuiet:
		notice = func(string, string) {}
	default:
		notice = func(_, msg string) { fmt.Fprintln(s.deps.Err, msg) }
	}
	return notice, func(err error) { fmt.Fprintln(s.deps.Err, "error:", err) }
}

// rebuild builds service's image again and recreates its containers, as
// `up --build --no-deps -d SERVICE` would; with --prune the image it
// replaced is removed once nothing uses it.
func (s *session) rebuild(ctx context.Context, global *globalOptions, opts *watchOptions, service string) error {
	g := *global
	if opts.Quiet {
		g.Progress = progress.ModeQuiet
	}
	ref := ""
	if svc, err := s.project.GetService(service); err == nil {
		ref = project.ImageName(s.project.Name, svc)
	}
	old, _ := s.engine.ImageID(ctx, ref) // none yet: nothing to prune
	if err := runUp(ctx, s.deps, &g, watchUpOptions(true), []string{service}); err != nil {
		return fmt.Errorf("rebuilding service %s: %w", service, err)
	}
	if now, err := s.engine.ImageID(ctx, ref); opts.Prune && old != "" && err == nil && now != old {
		// Another project's container may still use it: then it stays.
		_ = s.engine.RemoveImage(ctx, old)
	}
	return nil
}
