package cmd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/berth-compose/berth/engine"
)

// portOptions are the flags of `port`.
type portOptions struct {
	Protocol string
	Index    int
}

func newPortCommand(deps *Deps, global *globalOptions) *cobra.Command {
	opts := &portOptions{}
	c := &cobra.Command{
		Use:               "port [OPTIONS] SERVICE PRIVATE_PORT",
		Short:             "Print the host address a service's container port is published on",
		ValidArgsFunction: completeServices(deps, global),
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 2 {
				return errors.New("port needs two arguments, SERVICE and PRIVATE_PORT: e.g. berth port web 80")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			return runPort(c.Context(), deps, global, opts, args[0], args[1])
		},
	}
	f := c.Flags()
	f.StringVar(&opts.Protocol, "protocol", "tcp", "Protocol of the port: tcp, udp or sctp")
	f.IntVar(&opts.Index, "index", 0, "Which container of the service, when it has several (default: the first)")
	return c
}

func runPort(ctx context.Context, deps *Deps, global *globalOptions, opts *portOptions, service, privatePort string) error {
	port, err := strconv.ParseUint(privatePort, 10, 16)
	if err != nil || port == 0 {
		return fmt.Errorf("invalid PRIVATE_PORT %q: give the container's port as a number from 1 to 65535", privatePort)
	}
	protocol := strings.ToLower(opts.Protocol)
	if !oneOf(protocol, "tcp", "udp", "sctp") {
		return fmt.Errorf("invalid --protocol %q: use tcp, udp or sctp", opts.Protocol)
	}
	s, c, err := openServiceContainer(ctx, deps, global, service, opts.Index)
	if err != nil {
		return err
	}
	defer s.close()
	p, err := publishedPort(c, uint16(port), protocol)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(deps.Out, "%s:%d\n", p.HostIP, p.Public)
	return err
}

// publishedPort finds where the container publishes port/protocol: the
// first binding the engine lists (IPv4 before IPv6, as the engine lists
// them). A port only exposed, not published, has no host side to print.
func publishedPort(c engine.Container, port uint16, protocol string) (engine.Port, error) {
	var published []string
	for _, p := range c.Ports {
		if p.Public == 0 {
			continue
		}
		if p.Private == port && p.Protocol == protocol {
			return p, nil
		}
		published = append(published, fmt.Sprintf("%d/%s", p.Private, p.Protocol))
	}
	msg := fmt.Sprintf("container %s does not publish port %d/%s", c.Name, port, protocol)
	if len(published) == 0 {
		return engine.Port{}, fmt.Errorf("%s: it publishes no port (add it to the service's ports: and run berth up -d)", msg)
	}
	return engine.Port{}, fmt.Errorf("%s; it publishes %s", msg, strings.Join(slices.Compact(slices.Sorted(slices.Values(published))), ", "))
}
