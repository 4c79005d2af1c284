package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/interactive"
)

// attachCmdOptions are the flags of the `attach` command (attachOptions
// are foreground up's).
type attachCmdOptions struct {
	Index      int
	NoStdin    bool
	SigProxy   bool
	DetachKeys string
	// proxyTTY passes signals on to a container with a TTY too: run does,
	// where attach leaves Ctrl-C to the terminal.
	proxyTTY bool
}

func newAttachCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &attachCmdOptions{}
	c := &cobra.Command{
		Use:               "attach [OPTIONS] SERVICE",
		Short:             "Join your terminal to a running service container's input and output",
		Args:              exactlyOneService,
		ValidArgsFunction: completeServices(deps, global),
		RunE: func(c *cobra.Command, args []string) error {
			return runAttach(c.Context(), deps, global, opts, args[0])
		},
	}
	f := c.Flags()
	f.IntVar(&opts.Index, "index", 0, "Attach to the container with this number, when the service has several")
	f.BoolVar(&opts.NoStdin, "no-stdin", false, "Show the output only; send the container nothing of your input")
	f.BoolVar(&opts.SigProxy, "sig-proxy", true, "Pass the signals berth gets (Ctrl-C, SIGTERM) on to the container, unless it has a TTY")
	f.StringVar(&opts.DetachKeys, "detach-keys", "", `Keys that leave the container running and end the attach (default "ctrl-p,ctrl-q")`)
	return c
}

// exactlyOneService accepts one SERVICE argument, with an error that says
// what is missing or extra.
func exactlyOneService(c *cobra.Command, args []string) error {
	switch {
	case len(args) == 0:
		return fmt.Errorf("%s needs the name of a service\nSee '%s --help'", c.Name(), c.CommandPath())
	case len(args) > 1:
		return fmt.Errorf("%s takes one service, got %d: %v\nSee '%s --help'", c.Name(), len(args), args, c.CommandPath())
	}
	return nil
}

func runAttach(ctx context.Context, deps *Deps, global *globalOptions, opts *attachCmdOptions, service string) error {
	if _, err := interactive.ParseDetachKeys(opts.DetachKeys); err != nil {
		return err
	}
	s, c, err := openServiceContainer(ctx, deps, global, service, opts.Index)
	if err != nil {
		return err
	}
	defer s.close()
	d, err := s.engine.InspectContainer(ctx, c.ID)
	if err != nil {
		return err
	}
	stdin := !opts.NoStdin && d.OpenStdin
	if stdin && d.TTY && !isTerminal(deps.In) {
		return fmt.Errorf("container %s has a TTY and your input is not a terminal: attach from a terminal, or add --no-stdin", c.Name)
	}
	err = s.attach(ctx, d, stdin, opts, nil)
	if errors.Is(err, errDetached) {
		fmt.Fprintf(deps.Err, "\nberth: detached from %s, which keeps running\n", d.Name)
		return exitWith(1) // as docker attach does
	}
	return err
}

// attach joins the user's streams to the container until it stops, the
// user detaches or a signal ends it, and returns the container's exit code
// as berth's. start, when set, runs once the streams are joined: a
// container started after the attach loses none of its output.
func (s *session) attach(ctx context.Context, d engine.ContainerDetails, stdin bool, opts *attachCmdOptions, start func(context.Context) error) error {
	// The first Ctrl-C cancels ctx; whether it also ends the attach is up
	// to --sig-proxy, so the session itself runs on without it.
	sessionCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	// The engine watches the input for detach keys too, its default ones
	// unless told: without the user's, Ctrl-P Ctrl-Q would still end the
	// attachment there while berth passed them on as ordinary keys.
	// Subscribed before the attach: a Ctrl-C from here on is the
	// container's to hear (with --sig-proxy), never lost in between.
	signals, unsubscribe := s.deps.interrupts()
	defer unsubscribe()
	stream, err := s.engine.AttachContainer(sessionCtx, d.ID, engine.AttachOptions{
		Stdin: stdin, Stdout: true, Stderr: true, TTY: d.TTY, DetachKeys: opts.DetachKeys,
	})
	if err != nil {
		return err
	}
	if start != nil {
		if err := start(ctx); err != nil {
			stream.Close()
			return err
		}
	}
	go s.handleSignals(sessionCtx, d, signals, opts.SigProxy && (!d.TTY || opts.proxyTTY), cancel)
	streams := interactive.Options{Out: s.deps.Out, Err: s.deps.Err, TTY: d.TTY, DetachKeys: opts.DetachKeys}
	if stdin {
		streams.In = s.deps.In
	}
	var inputEnded atomic.Bool
	streams.InputEnded = func() { inputEnded.Store(true) }
	if d.TTY {
		streams.Resize = func(ctx context.Context, h, w uint) error { return s.engine.ResizeContainer(ctx, d.ID, h, w) }
	}
	err = interactive.Run(sessionCtx, stream, streams)
	switch {
	case errors.Is(err, interactive.ErrDetached):
		return errDetached
	case errors.Is(err, context.Canceled):
		return context.Canceled // a signal ended the attach; the container runs on
	case err != nil:
		return err
	}
	if inputEnded.Load() && !d.StdinOnce {
		// The engine ends an attachment when its input ends, and the
		// container may well run on: then the attach is over, as docker's.
		if now, err := s.engine.InspectContainer(sessionCtx, d.ID); err == nil && now.State == engine.StateRunning {
			return nil
		}
	}
	code, err := s.engine.WaitContainer(sessionCtx, d.ID)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return exitSignalled(code) // Ctrl-C went to the container, which chose how to end
	}
	return exitWith(code)
}

// errDetached is what attach returns when the user typed the detach keys;
// each caller says so in its own way.
var errDetached = errors.New("detached")

// handleSignals passes Ctrl-C and SIGTERM on to the container when proxy
// is on; otherwise the first signal ends the session.
func (s *session) handleSignals(ctx context.Context, d engine.ContainerDetails, signals <-chan os.Signal, proxy bool, end func()) {
	for {
		select {
		case sig := <-signals:
			if !proxy {
				end()
				return
			}
			if err := s.engine.KillContainer(ctx, d.ID, signalName(sig)); err != nil && ctx.Err() == nil {
				fmt.Fprintln(s.deps.Err, "berth:", err)
			}
		case <-ctx.Done():
			return
		}
	}
}

// signalName is the engine's name for a signal berth received.
func signalName(sig os.Signal) string {
	if sig == os.Interrupt {
		return "SIGINT"
	}
	return "SIGTERM"
}
