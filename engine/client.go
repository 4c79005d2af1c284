package engine

import (
	"context"
	"fmt"

	"github.com/moby/moby/client"
)

// Client is an Engine backed by a real Docker engine. Make one with Connect.
type Client struct {
	api      *client.Client
	endpoint Endpoint
	dialer   *dialer
}

var _ Engine = (*Client)(nil)

// Endpoint says where the client is connected and why there.
func (c *Client) Endpoint() Endpoint { return c.endpoint }

// Version describes the engine and the API version berth negotiated.
func (c *Client) Version(ctx context.Context) (Version, error) {
	res, err := c.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return Version{}, fmt.Errorf("asking the Docker engine at %s for its version: %w", c.endpoint.Host, err)
	}
	v := Version{
		Platform:             res.Platform.Name,
		Version:              res.Version,
		APIVersion:           res.APIVersion,
		MinAPIVersion:        res.MinAPIVersion,
		NegotiatedAPIVersion: c.api.ClientVersion(),
		OS:                   res.Os,
		Arch:                 res.Arch,
	}
	// The moby client drops the top-level copies of these; the engine
	// reports them as details of its "Engine" component too.
	for _, comp := range res.Components {
		if comp.Name == "Engine" {
			v.KernelVersion = comp.Details["KernelVersion"]
			v.GoVersion = comp.Details["GoVersion"]
			v.GitCommit = comp.Details["GitCommit"]
		}
	}
	return v, nil
}

// APIVersion is the API version the client negotiated when it connected.
func (c *Client) APIVersion() string { return c.api.ClientVersion() }

// Close releases idle connections.
func (c *Client) Close() error { return c.api.Close() }
