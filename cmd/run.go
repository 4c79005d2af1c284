package cmd

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/mattn/go-shellwords"
	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/convergence"
)

// runOptions are the flags of `run`.
type runOptions struct {
	Remove        bool
	Detach        bool
	Env           []string
	EnvFromFile   []string
	Labels        []string
	Name          string
	Entrypoint    string
	User          string
	Workdir       string
	Volumes       []string
	Publish       []string
	ServicePorts  bool
	UseAliases    bool
	NoTTY         bool
	TTY           bool
	Interactive   bool
	NoDeps        bool
	Pull          string
	QuietPull     bool
	CapAdd        []string
	CapDrop       []string
	RemoveOrphans bool
	Build         bool
}

func newRunCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &runOptions{}
	c := &cobra.Command{
		Use:               "run [OPTIONS] SERVICE [COMMAND] [ARGS...]",
		Short:             "Run a one-off command in a new container of a service",
		Args:              atLeastOneService,
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("tty") {
				opts.NoTTY = !opts.TTY
			}
			return runRun(c.Context(), deps, global, opts, args[0], args[1:])
		},
	}
	f := c.Flags()
	f.SetInterspersed(false) // what follows the service is the command's
	f.BoolVar(&opts.Remove, "rm", false, "Remove the container once its command ends")
	f.BoolVarP(&opts.Detach, "detach", "d", false, "Start the container in the background and print its name")
	f.StringArrayVarP(&opts.Env, "env", "e", nil, "Set a variable: KEY=VALUE, or KEY to pass berth's own value (repeatable)")
	f.StringArrayVar(&opts.EnvFromFile, "env-from-file", nil, "Read variables from this file, one KEY=VALUE a line (repeatable)")
	f.StringArrayVarP(&opts.Labels, "label", "l", nil, "Add a label KEY=VALUE to the container (repeatable)")
	f.StringVar(&opts.Name, "name", "", "Name the container (default: <project>-<service>-run-<random>)")
	f.StringVar(&opts.Entrypoint, "entrypoint", "", "Run this instead of the image's entrypoint")
	f.StringVarP(&opts.User, "user", "u", "", "Run as this user (name or uid[:gid])")
	f.StringVarP(&opts.Workdir, "workdir", "w", "", "Run in this folder of the container")
	f.StringArrayVarP(&opts.Volumes, "volume", "v", nil, "Mount a volume or a host folder, as in the volumes short syntax (repeatable)")
	f.StringArrayVarP(&opts.Publish, "publish", "p", nil, "Publish a port, as in the ports short syntax (repeatable)")
	f.BoolVarP(&opts.ServicePorts, "service-ports", "P", false, "Publish the service's own ports too")
	f.BoolVar(&opts.UseAliases, "use-aliases", false, "Let the container answer to the service's network aliases")
	f.BoolVarP(&opts.NoTTY, "no-TTY", "T", !isTerminal(deps.Out), "Give the container no terminal (the default when output is not a terminal)")
	f.BoolVarP(&opts.TTY, "tty", "t", false, "Give the container a terminal")
	_ = f.MarkHidden("tty")
	f.BoolVarP(&opts.Interactive, "interactive", "i", true, "Send your input to the container")
	f.BoolVar(&opts.NoDeps, "no-deps", false, "Do not start the service's dependencies")
	f.StringVar(&opts.Pull, "pull", "policy", "When to pull the image: always, missing, never, or as the service's pull_policy says (policy)")
	f.BoolVar(&opts.QuietPull, "quiet-pull", false, "Show no progress while pulling")
	f.StringArrayVar(&opts.CapAdd, "cap-add", nil, "Add a Linux capability (repeatable)")
	f.StringArrayVar(&opts.CapDrop, "cap-drop", nil, "Drop a Linux capability (repeatable)")
	f.BoolVar(&opts.RemoveOrphans, "remove-orphans", false, "Remove containers of services the project no longer has")
	f.BoolVar(&opts.Build, "build", false, "Build the service's image before running it, even when it is there")
	return c
}

// atLeastOneService accepts SERVICE [ARGS...].
func atLeastOneService(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s needs the name of a service\nSee '%s --help'", c.Name(), c.CommandPath())
	}
	return nil
}

func (o *runOptions) validate() error {
	if !oneOf(o.Pull, "policy", "always", "missing", "never") {
		return fmt.Errorf("invalid --pull %q: use always, missing, never or policy", o.Pull)
	}
	if o.Detach && o.Remove {
		return fmt.Errorf("--rm and --detach cannot go together: a container in the background is removed with `berth rm`")
	}
	return nil
}

// oneoff turns the flags into the changes run makes to service s of p.
func (o *runOptions) oneoff(p *types.Project, s types.ServiceConfig, command []string, slug string) (convergence.Oneoff, error) {
	one := convergence.Oneoff{
		Name: o.Name, User: o.User, WorkingDir: o.Workdir, ServicePorts: o.ServicePorts,
		CapAdd: o.CapAdd, CapDrop: o.CapDrop, TTY: !o.NoTTY, Stdin: o.Interactive,
	}
	if one.Name == "" {
		one.Name = convergence.OneoffName(p.Name, s.Name, slug)
	}
	if len(command) > 0 {
		one.Command = command
	}
	if o.Entrypoint != "" {
		words, err := shellwords.Parse(o.Entrypoint)
		if err != nil {
			return one, fmt.Errorf("invalid --entrypoint %q: %w", o.Entrypoint, err)
		}
		one.Entrypoint = words
	}
	env, err := envFromFiles(o.EnvFromFile, p.WorkingDir)
	if err != nil {
		return one, err
	}
	// A bare -e KEY takes its value from the project's environment: the
	// process's, with .env under it, as interpolation sees it.
	one.Env = append(env, resolveEnv(o.Env, func(k string) (string, bool) { v, ok := p.Environment[k]; return v, ok })...)
	if one.Labels, err = parseLabels(o.Labels); err != nil {
		return one, err
	}
	if one.Volumes, err = parseVolumes(o.Volumes, p.WorkingDir); err != nil {
		return one, err
	}
	for _, spec := range o.Publish {
		ports, err := types.ParsePortConfig(spec)
		if err != nil {
			return one, fmt.Errorf("invalid --publish %q: %w (e.g. 8080:80 or 127.0.0.1:8080:80/udp)", spec, err)
		}
		one.Ports = append(one.Ports, ports...)
	}
	return one, nil
}

func parseLabels(specs []string) (map[string]string, error) {
	labels := map[string]string{}
	for _, l := range specs {
		k, v, ok := strings.Cut(l, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("invalid --label %q: write it as KEY=VALUE", l)
		}
		labels[k] = v
	}
	return labels, nil
}

// parseVolumes reads -v in the short syntax of the volumes attribute; a
// relative host path is taken from the project folder, as in the file.
func parseVolumes(specs []string, dir string) ([]types.ServiceVolumeConfig, error) {
	var out []types.ServiceVolumeConfig
	for _, spec := range specs {
		v, err := format.ParseVolume(spec)
		if err != nil {
			return nil, fmt.Errorf("invalid --volume %q: %w (e.g. ./src:/app or data:/data:ro)", spec, err)
		}
		if v.Type == types.VolumeTypeBind && !filepath.IsAbs(v.Source) {
			v.Source = filepath.Join(dir, v.Source)
		}
		out = append(out, v)
	}
	return out, nil
}
