// Package cmd is berth's command tree: flags become options, options become
// calls into project, convergence and engine. It formats no progress and
// makes no engine calls of its own.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/berth-compose/berth/project"
)

// globalOptions are docker compose's global flags, with the same names and
// the same environment variables as defaults.
type globalOptions struct {
	Files            []string
	ProjectName      string
	ProjectDirectory string
	EnvFiles         []string
	Profiles         []string
	Progress         string
	Parallel         int
	Ansi             string
	DryRun           bool
}

// NewRootCommand builds the whole command tree around deps.
func NewRootCommand(deps *Deps) *cobra.Command {
	opts := &globalOptions{}
	root := &cobra.Command{
		Use:                        "berth",
		Short:                      "Run multi-container projects from compose files, as a faster drop-in for docker compose",
		SilenceErrors:              true,
		TraverseChildren:           true,
		SuggestionsMinimumDistance: 2,
		SilenceUsage:               true,
		// Global flags traverse to the root, so unknown commands reach this
		// RunE rather than cobra's own check: reject them here, with the
		// suggestion cobra would give, instead of printing help and exiting 0.
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			return unknownCommand(c, args[0])
		},
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			return opts.validate()
		},
	}
	root.SetIn(deps.In)
	root.SetOut(deps.Out)
	root.SetErr(deps.Err)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w\nSee '%s --help'", err, c.CommandPath())
	})
	opts.addFlags(root, deps.Getenv)
	root.AddCommand(
		newConfigCommand(deps, opts),
		newUpCommand(deps, opts),
		newDownCommand(deps, opts),
		newCreateCommand(deps, opts),
		newStartCommand(deps, opts),
		newStopCommand(deps, opts),
		newRestartCommand(deps, opts),
		newKillCommand(deps, opts),
		newRmCommand(deps, opts),
		newPauseCommand(deps, opts),
		newUnpauseCommand(deps, opts),
		newScaleCommand(deps, opts),
		newPsCommand(deps, opts),
		newLogsCommand(deps, opts),
		newWatchCommand(deps, opts),
		newSwarmCommand(deps, opts),
		newCpCommand(deps, opts),
		newStatsCommand(deps, opts),
		newEventsCommand(deps, opts),
		newWaitCommand(deps, opts),
		newAttachCommand(deps, opts),
		newExecCommand(deps, opts),
		newRunCommand(deps, opts),
		newGraphCommand(deps, opts),
		newTopCommand(deps, opts),
		newPortCommand(deps, opts),
		newImagesCommand(deps, opts),
		newLsCommand(deps, opts),
		newVolumesCommand(deps, opts),
		newExportCommand(deps, opts),
		newCommitCommand(deps, opts),
		newPullCommand(deps, opts),
		newPushCommand(deps, opts),
		newBuildCommand(deps, opts),
		newVersionCommand(deps),
	)
	removeOrphansFromEnv(root, deps.Getenv)
	return root
}

// removeOrphansFromEnv makes COMPOSE_REMOVE_ORPHANS the default of every
// --remove-orphans (up, create, down, kill), as docker compose reads it:
// from the process environment, true only for what strconv.ParseBool
// accepts as true. An explicit --remove-orphans=false still wins.
func removeOrphansFromEnv(root *cobra.Command, getenv func(string) string) {
	if !envBool(getenv, "COMPOSE_REMOVE_ORPHANS") {
		return
	}
	for _, c := range root.Commands() {
		if f := c.Flags().Lookup("remove-orphans"); f != nil {
			_ = f.Value.Set("true") // a bool flag always takes "true"
			f.DefValue = "true"
		}
	}
}

// envBool reads a boolean variable the way docker compose does.
func envBool(getenv func(string) string, key string) bool {
	on, _ := strconv.ParseBool(getenv(key))
	return on
}

func (o *globalOptions) addFlags(root *cobra.Command, getenv func(string) string) {
	// Global flags go before the command, as in docker compose: they are the
	// root's own flags (with TraverseChildren), so a command may reuse a
	// letter, like rm -f (--force) beside the global -f (--file).
	f := root.Flags()
	f.StringArrayVarP(&o.Files, "file", "f", nil, "Compose file to load (repeat to merge several, later ones win)")
	f.StringVarP(&o.ProjectName, "project-name", "p", "", "Name of the project (default: the project folder's name)")
	f.StringVar(&o.ProjectDirectory, "project-directory", "", "Folder that relative paths and .env are taken from (default: the first compose file's folder)")
	f.StringArrayVar(&o.EnvFiles, "env-file", splitList(getenv("COMPOSE_ENV_FILES")), "Read variables from this file instead of .env (repeatable)")
	f.StringArrayVar(&o.Profiles, "profile", nil, "Enable the services of this profile (repeatable)")
	f.StringVar(&o.Progress, "progress", getenv("COMPOSE_PROGRESS"), "How progress is shown: auto, tty, plain, json or quiet")
	f.IntVar(&o.Parallel, "parallel", parallelDefault(getenv), "Most engine calls at once; -1 for no limit")
	f.StringVar(&o.Ansi, "ansi", envOr(getenv, "COMPOSE_ANSI", "auto"), `When to use terminal colours and cursor moves: never, always, or auto (on a terminal)`)
	f.BoolVar(&o.DryRun, "dry-run", false, "Print the plan and change nothing")
}

func (o *globalOptions) validate() error {
	if !oneOf(o.Progress, "", "auto", "tty", "plain", "json", "quiet") {
		return fmt.Errorf("invalid --progress %q: use one of auto, tty, plain, json, quiet", o.Progress)
	}
	if !oneOf(o.Ansi, "never", "always", "auto") {
		return fmt.Errorf("invalid --ansi %q: use one of never, always, auto", o.Ansi)
	}
	// --ansi picks the progress view when --progress does not, as in docker
	// compose; berth's views print no escape codes yet, so the only visible
	// effect is refusing a pair that asks for both at once.
	if o.Ansi == "never" && o.Progress == "tty" {
		return errors.New("--progress tty needs escape codes, which --ansi never (or COMPOSE_ANSI=never) turns off; use --progress plain, or drop one of them")
	}
	if o.Ansi == "always" && o.Progress == "plain" {
		return errors.New("--progress plain prints no escape codes, which --ansi always (or COMPOSE_ANSI=always) asks for; use --progress tty, or drop one of them")
	}
	if o.Parallel == 0 || o.Parallel < -1 {
		return fmt.Errorf("invalid --parallel %d: use a positive number, or -1 for unlimited", o.Parallel)
	}
	return nil
}

// progressMode is --progress, with --ansi choosing for "auto" as docker
// compose lets it: never means plain lines, always the terminal view.
func (o *globalOptions) progressMode() string {
	if o.Progress != "" && o.Progress != "auto" {
		return o.Progress
	}
	switch o.Ansi {
	case "never":
		return "plain"
	case "always":
		return "tty"
	}
	return o.Progress
}

// loadOptions maps the global flags onto the loader's options.
func (o *globalOptions) loadOptions(deps *Deps, services []string) project.LoadOptions {
	return project.LoadOptions{
		ConfigPaths: o.Files,
		ProjectName: o.ProjectName,
		ProjectDir:  o.ProjectDirectory,
		EnvFiles:    o.EnvFiles,
		Profiles:    o.Profiles,
		Services:    services,
		Environ:     deps.Environ(),
		// docker compose reads env files into environment and forgets them
		// before it hashes a service; keeping them would change every hash.
		DiscardEnvFiles: true,
	}
}

// completeServices lets shells complete service names from the project in
// the current folder; a project that fails to load simply offers nothing.
func completeServices(deps *Deps, opts *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(c *cobra.Command, args []string, prefix string) ([]string, cobra.ShellCompDirective) {
		lo := opts.loadOptions(deps, nil)
		lo.NoEnvironmentResolved = true
		p, err := project.Load(c.Context(), lo)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		taken := map[string]bool{}
		for _, a := range args {
			taken[a] = true
		}
		var names []string
		for _, n := range p.ServiceNames() {
			if !taken[n] && strings.HasPrefix(n, prefix) {
				names = append(names, n)
			}
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}

func parallelDefault(getenv func(string) string) int {
	if n, err := strconv.Atoi(getenv("COMPOSE_PARALLEL_LIMIT")); err == nil && n != 0 {
		return n
	}
	return -1
}

func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' })
}

func envOr(getenv func(string) string, key, def string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return def
}

func oneOf(v string, allowed ...string) bool { return slices.Contains(allowed, v) }

func unknownCommand(c *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q for %q", name, c.CommandPath())
	if suggestions := c.SuggestionsFor(name); len(suggestions) > 0 {
		msg += "\n\nDid you mean this?\n\t" + strings.Join(suggestions, "\n\t")
	}
	return fmt.Errorf("%s\nRun '%s --help' for usage.", msg, c.CommandPath())
}

// Execute runs berth with args and returns the process exit code. It is the
// one place where errors become exit codes.
func Execute(ctx context.Context, deps *Deps, args []string) int {
	routeLibraryLogs(deps.Err)
	root := NewRootCommand(deps)
	root.SetArgs(joinGlobalValues(root.Flags(), args))
	err := root.ExecuteContext(ctx)
	var status *exitStatus
	if errors.As(err, &status) && status.signalled {
		return status.code
	}
	// An interrupt wins over success: work may have been cut short, and
	// scripts expect 130 after Ctrl-C, as docker compose gives.
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		// Say what was left undone when the error knows; a bare
		// cancellation has nothing more to say than that it happened.
		if err != nil && err.Error() != context.Canceled.Error() {
			fmt.Fprintln(deps.Err, "berth:", err)
		} else {
			fmt.Fprintln(deps.Err, "berth: interrupted")
		}
		return 130
	}
	if err == nil {
		return 0
	}
	if errors.As(err, &status) {
		return status.code
	}
	fmt.Fprintln(deps.Err, err)
	return 1
}

// exitStatus is an exit code a command passes on rather than a failure: a
// container's own (wait, up --exit-code-from). Execute exits with it and
// prints nothing more.
type exitStatus struct {
	code int
	// signalled marks the code of a process berth passed Ctrl-C on to:
	// how it ended is the answer, even though berth was interrupted.
	signalled bool
}

func (e *exitStatus) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// exitWith returns nil for 0, else the exitStatus that makes berth exit
// with code.
func exitWith(code int) error {
	if code == 0 {
		return nil
	}
	return &exitStatus{code: code}
}

// exitSignalled is exitWith for a process that received berth's signals:
// its code stands, 0 included, where an interrupt would give 130.
func exitSignalled(code int) error {
	return &exitStatus{code: code, signalled: true}
}

// joinGlobalValues writes the global flags before the command as
// --flag=value. cobra finds the command by skipping over them on its own,
// and takes a value such as the -1 of `--parallel -1` for a flag, which
// makes it miss the command; joined, the value cannot be mistaken.
func joinGlobalValues(flags *pflag.FlagSet, args []string) []string {
	out := slices.Clone(args)
	for i := 0; i < len(out); i++ {
		arg := out[i]
		if arg == "--" || arg == "-" || !strings.HasPrefix(arg, "-") {
			break // the command: its own flags parse as they are
		}
		var f *pflag.Flag
		if name, long := strings.CutPrefix(arg, "--"); long && !strings.Contains(name, "=") {
			f = flags.Lookup(name)
		} else if len(arg) == 2 {
			f = flags.ShorthandLookup(arg[1:])
		}
		if f == nil || f.NoOptDefVal != "" || i+1 == len(out) {
			continue // joined already, unknown (cobra says so) or without a value
		}
		// Long form even for -p: pflag reads "-p=" as the value "=".
		out[i] = "--" + f.Name + "=" + out[i+1]
		out = slices.Delete(out, i+1, i+2)
	}
	return out
}

// DefaultDeps wires berth to the real process: stdio, environment, engine.
func DefaultDeps() *Deps {
	return &Deps{
		In:      os.Stdin,
		Out:     os.Stdout,
		Err:     os.Stderr,
		Getenv:  os.Getenv,
		Environ: os.Environ,
		Engine:  connectEngine(os.Getenv),
		Interrupts: func() (<-chan os.Signal, func()) {
			c := make(chan os.Signal, 2)
			signal.Notify(c, os.Interrupt, syscall.SIGTERM)
			return c, func() { signal.Stop(c) }
		},
	}
}

// writeOutput sends content to the -o file when one is given, else to out.
func writeOutput(deps *Deps, path string, content []byte) error {
	if path == "" {
		_, err := deps.Out.Write(content)
		return err
	}
	if err := os.WriteFile(filepath.Clean(path), content, 0o666); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
