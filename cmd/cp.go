package cmd

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

// cpOptions are the flags of `cp`.
type cpOptions struct {
	Index      int
	All        bool
	Archive    bool
	FollowLink bool
}

func newCpCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &cpOptions{}
	c := &cobra.Command{
		Use:   "cp [OPTIONS] SERVICE:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- SERVICE:DEST_PATH",
		Short: "Copy files and folders between a service's container and the local filesystem",
		Long: `Copy files and folders between a service's container and the local filesystem.

A path is the container's when written SERVICE:PATH, and local otherwise
(write ./name:with:colons for a local name that has a colon). A "-" in
place of the local path is a tar stream: read from stdin and unpacked into
the container's directory, or written to stdout from the container.
Copies out of a service read its first container (or --index); copies
into it write to all of its containers (or --index).`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return fmt.Errorf("cp takes a source and a destination, got %d argument(s): berth cp SERVICE:SRC_PATH DEST_PATH, or berth cp SRC_PATH SERVICE:DEST_PATH", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runCp(c.Context(), deps, global, opts, args[0], args[1])
		},
	}
	f := c.Flags()
	f.IntVar(&opts.Index, "index", 0, "Copy from or to only the container with this number, when the service has several")
	f.BoolVar(&opts.All, "all", false, "Include the one-off containers made by run")
	f.BoolVarP(&opts.Archive, "archive", "a", false, "Archive mode: copy uid/gid information too (into a container that runs as a user, files become that user's)")
	f.BoolVarP(&opts.FollowLink, "follow-link", "L", false, "Copy what a symlink named as SRC_PATH points to, not the symlink")
	return c
}

// cpEnd is one side of a copy: a path in a service's container, or a
// local one (Service empty).
type cpEnd struct {
	Service string
	Path    string
}

// parseCpEnd reads one argument of cp as docker compose does: an
// absolute local path is local even with a colon in it (C:\dir), and so
// is a path starting with "." (./name:with:colons); otherwise the part
// before the first colon names the service.
func parseCpEnd(arg string) cpEnd {
	if filepath.IsAbs(arg) || strings.HasPrefix(arg, "/") || strings.HasPrefix(arg, `\`) {
		return cpEnd{Path: arg}
	}
	service, p, ok := strings.Cut(arg, ":")
	if !ok || service == "" || strings.HasPrefix(service, ".") {
		return cpEnd{Path: arg}
	}
	return cpEnd{Service: service, Path: p}
}

// cpDirection checks that exactly one side of a copy is a service's and
// says which: to the service or from it.
func cpDirection(src, dst cpEnd) (toService bool, err error) {
	switch {
	case src.Service != "" && dst.Service != "":
		return false, fmt.Errorf("cannot copy from one service's container to another's (%s to %s): copy to a local path first, then from there", src.Service, dst.Service)
	case src.Service == "" && dst.Service == "":
		return false, fmt.Errorf("neither %q nor %q is in a container: write the container's side as SERVICE:PATH", src.Path, dst.Path)
	case src.Service != "" && src.Path == "", dst.Service != "" && dst.Path == "":
		return false, errors.New("the path after SERVICE: is empty: write the path in the container, such as web:/tmp")
	case src.Path == "" || dst.Path == "":
		return false, errors.New("the local path is empty: write one, or - for a tar stream")
	}
	return dst.Service != "", nil
}

func runCp(ctx context.Context, deps *Deps, global *globalOptions, opts *cpOptions, srcArg, dstArg string) error {
	if opts.Index < 0 {
		return fmt.Errorf("invalid --index %d: container numbers start at 1", opts.Index)
	}
	src, dst := parseCpEnd(srcArg), parseCpEnd(dstArg)
	toService, err := cpDirection(src, dst)
	if err != nil {
		return err
	}
	service := src.Service
	if toService {
		service = dst.Service
	}
	s, err := openSessionOrByName(ctx, deps, global, []string{service})
	if err != nil {
		return err
	}
	defer s.close()
	if err := checkServices(ctx, s, []string{service}); err != nil {
		return err
	}
	o, err := s.observe(ctx)
	if err != nil {
		return err
	}
	targets, err := cpTargets(o, service, opts, toService)
	if err != nil {
		return err
	}
	c := &copier{engine: s.engine, sink: s.progress, opts: opts, dryRun: global.DryRun, stdin: deps.In, stdout: deps.Out, warn: deps.Err}
	if toService {
		return c.toContainers(ctx, targets, src.Path, dst)
	}
	return c.fromContainer(ctx, targets[0], src, dst.Path)
}

// cpTargets picks the containers of service a copy reads from or writes
// to, as docker compose does: with --index, that container alone; else
// all of them (stopped ones too, one-off ones with --all) for a copy into
// the service, and the first for a copy out of it.
func cpTargets(o *convergence.Observed, service string, opts *cpOptions, toService bool) ([]engine.Container, error) {
	numbered := o.ServiceContainers(service)
	if opts.Index > 0 {
		c, ok := numbered[opts.Index]
		if !ok {
			return nil, fmt.Errorf("service %q has no container number %d: `berth ps -a %s` lists the ones it has", service, opts.Index, service)
		}
		return []engine.Container{c}, nil
	}
	numbers := make([]int, 0, len(numbered))
	for n := range numbered {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	var out []engine.Container
	for _, n := range numbers {
		out = append(out, numbered[n])
	}
	if opts.All {
		for _, c := range o.Containers {
			if c.Labels[convergence.LabelService] == service && c.Labels[convergence.LabelOneoff] == "True" {
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no container found for service %q: create one first, with `berth up -d %s` or `berth create %s`", service, service, service)
	}
	if !toService {
		return out[:1], nil
	}
	return out, nil
}
