package cmd

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/engine"
)

// swarmLogsOptions are the flags of `swarm logs`.
type swarmLogsOptions struct {
	Follow      bool
	Tail        string
	Timestamps  bool
	Since       string
	NoLogPrefix bool
}

func newSwarmLogsCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &swarmLogsOptions{}
	c := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "Show the output of the stack's services, from every task on every node",
		RunE: func(c *cobra.Command, args []string) error {
			return runSwarmLogs(c.Context(), deps, global, opts, args)
		},
	}
	f := c.Flags()
	f.BoolVarP(&opts.Follow, "follow", "f", false, "Keep showing output as it comes, until Ctrl-C")
	f.StringVarP(&opts.Tail, "tail", "n", "all", `How many of each task's last lines to show, or "all"`)
	f.BoolVarP(&opts.Timestamps, "timestamps", "t", false, "Start each line with the time it was logged")
	f.StringVar(&opts.Since, "since", "", `Only lines logged since this time (e.g. 2026-01-02T15:04:05Z) or this long ago (e.g. 10m)`)
	f.BoolVar(&opts.NoLogPrefix, "no-log-prefix", false, "Print the lines without the service name in front")
	return c
}

func runSwarmLogs(ctx context.Context, deps *Deps, global *globalOptions, opts *swarmLogsOptions, services []string) error {
	tail, err := parseTail(opts.Tail)
	if err != nil {
		return err
	}
	s, e, o, keys, err := openStack(ctx, deps, global, services)
	if err != nil {
		return err
	}
	defer s.close()
	width := 0
	for _, k := range keys {
		width = max(width, len(k))
	}
	var mu sync.Mutex // one line at a time, whichever service it is from
	lo := engine.LogOptions{Follow: opts.Follow, Tail: tail, Since: opts.Since, Timestamps: opts.Timestamps}
	g, gctx := errgroup.WithContext(ctx)
	for _, key := range keys {
		prefix := ""
		if !opts.NoLogPrefix {
			prefix = key + string(bytes.Repeat([]byte(" "), width-len(key))) + "  | "
		}
		g.Go(func() error {
			out := &prefixedLines{w: deps.Out, mu: &mu, prefix: prefix}
			errOut := &prefixedLines{w: deps.Err, mu: &mu, prefix: prefix}
			err := e.StreamServiceLogs(gctx, o.Services[key].ID, lo, out, errOut)
			out.flush()
			errOut.flush()
			return err
		})
	}
	if err := g.Wait(); err != nil && ctx.Err() == nil {
		return err
	}
	return ctx.Err()
}

// prefixedLines writes whole lines, each after a prefix, under a lock
// shared by every service's writers, so lines never interleave.
type prefixedLines struct {
	w       io.Writer
	mu      *sync.Mutex
	prefix  string
	partial []byte
}

func (p *prefixedLines) Write(b []byte) (int, error) {
	p.partial = append(p.partial, b...)
	for {
		i := bytes.IndexByte(p.partial, '\n')
		if i < 0 {
			return len(b), nil
		}
		if err := p.line(p.partial[:i+1]); err != nil {
			return 0, err
		}
		p.partial = p.partial[i+1:]
	}
}

func (p *prefixedLines) line(l []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, err := io.WriteString(p.w, p.prefix+string(l))
	return err
}

// flush writes what is left of a last line without its newline.
func (p *prefixedLines) flush() {
	if len(p.partial) > 0 {
		_ = p.line(append(p.partial, '\n'))
		p.partial = nil
	}
}
