package cmd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/progress"
	"github.com/berth-compose/berth/project"
)

func runRun(ctx context.Context, deps *Deps, global *globalOptions, opts *runOptions, service string, command []string) error {
	if err := opts.validate(); err != nil {
		return err
	}
	tty, stdin := !opts.NoTTY, opts.Interactive && !opts.Detach
	if err := checkTerminalInput(deps, tty, stdin); err != nil {
		return err
	}
	s, err := openLockedSession(ctx, deps, global, []string{service})
	if err != nil {
		return err
	}
	defer s.close()
	if opts.QuietPull {
		s.progress = progress.WithoutPulls(s.progress)
	}
	slug := newSlug()
	one, err := opts.oneoff(s.project, s.project.Services[service], command, slug)
	if err != nil {
		return err
	}
	images, err := s.prepareOneoff(ctx, global, opts, service)
	if err != nil || global.DryRun {
		return err
	}
	svc := convergence.OneoffService(s.project.Services[service], one)
	imageID, known := images[project.ImageName(s.project.Name, svc)]
	if !known || pullsPresentImages(s.project, opts.Pull) || opts.Build {
		// Pulled or built by the plan: a new id. An image the engine lacks is the
		// create's to report; any other failure is this lookup's.
		if imageID, err = s.engine.ImageID(ctx, project.ImageName(s.project.Name, svc)); err != nil && !engine.IsNotFound(err) {
			return err
		}
	}
	id, err := s.createOneoff(ctx, global, svc, imageID, slug, opts.UseAliases)
	if err != nil {
		return err
	}
	// The project is as run needs it: others may change it while the
	// one-off runs, which can take as long as the user likes.
	s.unlock()
	s.unlock = nil
	s.progress.Close()
	if opts.Detach {
		if err := s.engine.StartContainer(ctx, id); err != nil {
			return err
		}
		_, err := fmt.Fprintln(deps.Out, one.Name)
		return err
	}
	d := engine.ContainerDetails{Container: engine.Container{ID: id, Name: one.Name}, TTY: svc.Tty, OpenStdin: svc.StdinOpen, StdinOnce: svc.StdinOpen}
	return s.runOneoff(ctx, d, stdin, opts.Remove)
}

// prepareOneoff brings up what the one-off's service depends on, waits for
// their conditions and makes its networks and volumes, as up would. It
// returns the image ids it saw before, which save run a lookup.
func (s *session) prepareOneoff(ctx context.Context, global *globalOptions, opts *runOptions, service string) (map[string]string, error) {
	o, err := s.observeWithImages(ctx)
	if err != nil {
		return nil, err
	}
	upOpts := convergence.UpOptions{
		Oneoff: service, OneoffNoDeps: opts.NoDeps, RemoveOrphans: opts.RemoveOrphans,
		Pull: opts.Pull, Version: Version, TempPrefix: randomPrefix, Confirm: confirmer(s.deps, false),
		Build: s.buildFunc(build.Options{Version: Version}),
	}
	if opts.Build {
		upOpts.Builds = convergence.BuildAlways
	}
	return o.Images, s.converge(ctx, global, -1, o, s.upPlanner(ctx, global, &upOpts))
}

// createOneoff creates the one-off container of svc (OneoffService).
func (s *session) createOneoff(ctx context.Context, global *globalOptions, svc types.ServiceConfig, imageID, slug string, aliases bool) (string, error) {
	p := s.project
	o := convergence.SpecOptions{
		ImageID: imageID, Version: Version, APIVersion: s.engine.APIVersion(), EnvFiles: global.EnvFiles,
		ProxyEnv: s.proxyEnv(), Slug: slug, OnlyNameAlias: !aliases,
		ServiceContainer: func(dep string) string { return convergence.ContainerName(p.Name, p.Services[dep], 1) },
	}
	id, warnings, err := convergence.CreateOneoff(ctx, s.engine, p, svc, o)
	for _, w := range warnings {
		fmt.Fprintln(s.deps.Err, "warning:", w)
	}
	return id, err
}

// runOneoff joins the user's streams to the one-off container from before
// it starts until its command ends, and passes its exit code on. With rm
// the container (and its anonymous volumes) goes afterwards, unless the
// user detached from it: it runs on, and is theirs to remove.
func (s *session) runOneoff(ctx context.Context, d engine.ContainerDetails, stdin, rm bool) error {
	err := s.attach(ctx, d, stdin, &attachCmdOptions{SigProxy: true, proxyTTY: true}, func(ctx context.Context) error {
		return s.engine.StartContainer(ctx, d.ID)
	})
	if errors.Is(err, errDetached) {
		msg := "\nberth: detached from %s, which keeps running\n"
		if rm {
			msg = "\nberth: detached from %s, which keeps running; remove it with `berth rm` once it ends\n"
		}
		fmt.Fprintf(s.deps.Err, msg, d.Name)
		return nil // as docker compose run does
	}
	if rm {
		cleanup := context.WithoutCancel(ctx)
		if rmErr := s.engine.RemoveContainer(cleanup, d.ID, engine.RemoveOptions{Force: true, Volumes: true}); rmErr != nil && !engine.IsNotFound(rmErr) {
			fmt.Fprintln(s.deps.Err, "berth:", rmErr)
		}
	}
	return err
}

// newSlug is a one-off container's random id: 64 hex digits, as docker
// compose makes them.
func newSlug() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics instead)
	return hex.EncodeToString(b)
}

// envFromFiles reads --env-from-file files, relative to the project
// folder, into KEY=VALUE pairs; later files win.
func envFromFiles(files []string, dir string) ([]string, error) {
	vars := map[string]string{}
	for _, f := range files {
		if !filepath.IsAbs(f) {
			f = filepath.Join(dir, f)
		}
		read, err := dotenv.Read(f)
		if err != nil {
			return nil, fmt.Errorf("reading --env-from-file %s: %w", f, err)
		}
		for k, v := range read {
			vars[k] = v
		}
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+vars[k])
	}
	return out, nil
}
