package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/interactive"
)

// execOptions are the flags of `exec`.
type execOptions struct {
	Detach      bool
	Env         []string
	User        string
	Workdir     string
	NoTTY       bool
	Interactive bool
	Index       int
	Privileged  bool
}

func newExecCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &execOptions{}
	c := &cobra.Command{
		Use:               "exec [OPTIONS] SERVICE COMMAND [ARGS...]",
		Short:             "Run a command in a running service container",
		Args:              serviceAndCommand,
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runExec(c.Context(), deps, global, opts, args[0], args[1:])
		},
	}
	f := c.Flags()
	// Everything after the command is its own: `exec app ls -l` must not
	// read -l as a flag of berth's.
	f.SetInterspersed(false)
	f.BoolVarP(&opts.Detach, "detach", "d", false, "Start the command and return at once, leaving it to run in the background")
	f.StringArrayVarP(&opts.Env, "env", "e", nil, "Set a variable for the command: KEY=VALUE, or KEY to pass berth's own value (repeatable)")
	f.StringVarP(&opts.User, "user", "u", "", "Run the command as this user (name or uid[:gid])")
	f.StringVarP(&opts.Workdir, "workdir", "w", "", "Run the command in this folder of the container")
	// A TTY by default only where the output is a terminal, so that
	// scripts and CI get plain, separate streams without asking for -T.
	f.BoolVarP(&opts.NoTTY, "no-TTY", "T", !isTerminal(deps.Out), "Give the command no terminal (the default when output is not a terminal)")
	f.BoolVarP(&opts.Interactive, "interactive", "i", true, "Send your input to the command")
	_ = f.MarkHidden("interactive")
	// Accepted and ignored, as docker compose does, so that commands
	// written for `docker exec -it` work unchanged: -T alone decides.
	f.BoolP("tty", "t", true, "Give the command a terminal (the default where output is a terminal; see -T)")
	_ = f.MarkHidden("tty")
	f.IntVar(&opts.Index, "index", 0, "Run in the container with this number, when the service has several")
	f.BoolVar(&opts.Privileged, "privileged", false, "Give the command extended privileges")
	return c
}

// serviceAndCommand accepts SERVICE COMMAND [ARGS...].
func serviceAndCommand(c *cobra.Command, args []string) error {
	switch len(args) {
	case 0:
		return fmt.Errorf("%s needs a service and a command, e.g. `berth %s app sh`\nSee '%s --help'", c.Name(), c.Name(), c.CommandPath())
	case 1:
		return fmt.Errorf("%s needs a command to run in service %q, e.g. `berth %s %s sh`\nSee '%s --help'", c.Name(), args[0], c.Name(), args[0], c.CommandPath())
	}
	return nil
}

func runExec(ctx context.Context, deps *Deps, global *globalOptions, opts *execOptions, service string, command []string) error {
	tty, stdin := !opts.NoTTY, opts.Interactive && !opts.Detach
	if err := checkTerminalInput(deps, tty, stdin); err != nil {
		return err
	}
	s, c, err := openServiceContainer(ctx, deps, global, service, opts.Index)
	if err != nil {
		return err
	}
	defer s.close()
	spec := engine.ExecSpec{
		Cmd: command, Env: resolveEnv(opts.Env, environLookup(deps.Environ())), User: opts.User, WorkingDir: opts.Workdir,
		Privileged: opts.Privileged, TTY: tty && !opts.Detach, Stdin: stdin,
	}
	if spec.TTY {
		spec.Height, spec.Width = terminalSize(deps.Out)
	}
	if global.DryRun {
		_, err := fmt.Fprintf(deps.Out, "would run %q in container %s\n", command, c.Name)
		return err
	}
	id, err := s.engine.CreateExec(ctx, c.ID, spec)
	if err != nil {
		return err
	}
	if opts.Detach {
		return s.engine.StartExec(ctx, id)
	}
	return s.execAttached(ctx, id, spec)
}

// execAttached runs the exec joined to the user's streams and returns the
// command's exit code as berth's.
func (s *session) execAttached(ctx context.Context, id string, spec engine.ExecSpec) error {
	// Holding the signals keeps a second Ctrl-C from killing berth before
	// the first has wound the session down and restored the terminal.
	_, unsubscribe := s.deps.interrupts()
	defer unsubscribe()
	stream, err := s.engine.AttachExec(ctx, id, spec.TTY)
	if err != nil {
		return err
	}
	streams := interactive.Options{Out: s.deps.Out, Err: s.deps.Err, TTY: spec.TTY}
	if spec.Stdin {
		streams.In = s.deps.In
	}
	if spec.TTY {
		streams.Resize = func(ctx context.Context, h, w uint) error { return s.engine.ResizeExec(ctx, id, h, w) }
	}
	err = interactive.Run(ctx, stream, streams)
	if errors.Is(err, interactive.ErrDetached) {
		fmt.Fprintln(s.deps.Err, "\nberth: detached; the command keeps running in the container")
		return exitWith(1)
	}
	if err != nil {
		return err
	}
	code, err := s.execExitCode(ctx, id)
	if err != nil {
		return err
	}
	return exitWith(code)
}

// execExitCode reads how the command ended. Its output closes a moment
// before the engine marks it ended, so a command still shown as running
// is asked again, briefly.
func (s *session) execExitCode(ctx context.Context, id string) (int, error) {
	for wait := time.Millisecond; ; wait *= 2 {
		st, err := s.engine.InspectExec(ctx, id)
		if err != nil || !st.Running || wait > time.Second {
			return st.ExitCode, err
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	}
}

// resolveEnv reads -e values: KEY=VALUE as given, and a bare KEY with the
// value lookup finds, empty included, or dropped when it finds none, as
// docker does.
func resolveEnv(vars []string, lookup func(string) (string, bool)) []string {
	var out []string
	for _, v := range vars {
		if _, _, ok := strings.Cut(v, "="); ok {
			out = append(out, v)
		} else if val, ok := lookup(v); ok {
			out = append(out, v+"="+val)
		}
	}
	return out
}

// environLookup finds a variable in a KEY=VALUE list such as os.Environ.
func environLookup(environ []string) func(string) (string, bool) {
	return func(key string) (string, bool) {
		for _, kv := range environ {
			if k, v, ok := strings.Cut(kv, "="); ok && k == key {
				return v, true
			}
		}
		return "", false
	}
}

// terminalSize is the height and width of w when it is a terminal, else 0.
func terminalSize(w any) (uint, uint) {
	f, ok := w.(interface{ Fd() uintptr })
	if !ok || !isTerminal(w) {
		return 0, 0
	}
	width, height, err := term.GetSize(int(f.Fd()))
	if err != nil {
		return 0, 0
	}
	return uint(height), uint(width)
}
