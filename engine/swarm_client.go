package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

var _ Swarm = (*Client)(nil)

// SwarmStatus reads the swarm part of the engine's info, which every
// engine answers, in a swarm or not.
func (c *Client) SwarmStatus(ctx context.Context) (SwarmStatus, error) {
	res, err := c.api.Info(ctx, client.InfoOptions{})
	if err != nil {
		return SwarmStatus{}, fmt.Errorf("asking the Docker engine at %s about its swarm: %w", c.endpoint.Host, err)
	}
	s := res.Info.Swarm
	return SwarmStatus{
		NodeID:           s.NodeID,
		LocalState:       string(s.LocalNodeState),
		ControlAvailable: s.ControlAvailable,
		Error:            s.Error,
	}, nil
}

// ListNodes lists the swarm's nodes, sorted by hostname (then id: two
// machines may share a hostname).
func (c *Client) ListNodes(ctx context.Context) ([]swarm.Node, error) {
	res, err := c.api.NodeList(ctx, client.NodeListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing swarm nodes: %w", err)
	}
	nodes := res.Items
	slices.SortFunc(nodes, func(a, b swarm.Node) int {
		return cmp.Or(cmp.Compare(a.Description.Hostname, b.Description.Hostname), cmp.Compare(a.ID, b.ID))
	})
	return nodes, nil
}

// ImageDigest asks the engine to ask ref's registry what ref names now,
// and returns ref's repository pinned to that digest, in the short form
// ("busybox@sha256:..."): the tag is dropped, since the digest alone
// decides what a node pulls.
func (c *Client) ImageDigest(ctx context.Context, ref string, auth RegistryAuth) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", fmt.Errorf("asking the registry for the digest of %s: %w", ref, err)
	}
	res, err := c.api.DistributionInspect(ctx, ref, client.DistributionInspectOptions{EncodedRegistryAuth: auth.swarmHeader()})
	if err != nil {
		return "", fmt.Errorf("asking the registry for the digest of %s: %w", ref, err)
	}
	pinned, err := reference.WithDigest(reference.TrimNamed(named), res.Descriptor.Digest)
	if err != nil {
		return "", fmt.Errorf("asking the registry for the digest of %s: the registry answered %q: %w", ref, res.Descriptor.Digest, err)
	}
	return reference.FamiliarString(pinned), nil
}

// swarmHeader is header, but none at all for anonymous: a service created
// with "{}" would carry an empty login into its spec, and on update an
// absent header is what keeps the login the service already has.
func (a RegistryAuth) swarmHeader() string {
	if a == (RegistryAuth{}) {
		return ""
	}
	return a.header()
}
