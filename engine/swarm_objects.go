package engine

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/moby/moby/api/types/swarm"
	"github.com/moby/moby/client"
)

// ListConfigs lists the configs whose labels match f, sorted by name.
func (c *Client) ListConfigs(ctx context.Context, f Filter) ([]swarm.Config, error) {
	res, err := c.api.ConfigList(ctx, client.ConfigListOptions{Filters: apiFilters(f)})
	if err != nil {
		return nil, fmt.Errorf("listing configs: %w", err)
	}
	configs := res.Items
	slices.SortFunc(configs, func(a, b swarm.Config) int { return cmp.Compare(a.Spec.Name, b.Spec.Name) })
	return configs, nil
}

// ListSecrets lists the secrets whose labels match f, sorted by name; the
// engine never sends a secret's data.
func (c *Client) ListSecrets(ctx context.Context, f Filter) ([]swarm.Secret, error) {
	res, err := c.api.SecretList(ctx, client.SecretListOptions{Filters: apiFilters(f)})
	if err != nil {
		return nil, fmt.Errorf("listing secrets: %w", err)
	}
	secrets := res.Items
	slices.SortFunc(secrets, func(a, b swarm.Secret) int { return cmp.Compare(a.Spec.Name, b.Spec.Name) })
	return secrets, nil
}

// CreateConfig stores a config and returns its id; a taken name is a
// conflict (the manager's 409 "already exists").
func (c *Client) CreateConfig(ctx context.Context, spec swarm.ConfigSpec) (string, error) {
	res, err := c.api.ConfigCreate(ctx, client.ConfigCreateOptions{Spec: spec})
	if err != nil {
		return "", fmt.Errorf("creating config %s: %w", spec.Name, err)
	}
	return res.ID, nil
}

// CreateSecret stores a secret and returns its id; a taken name is a
// conflict.
func (c *Client) CreateSecret(ctx context.Context, spec swarm.SecretSpec) (string, error) {
	res, err := c.api.SecretCreate(ctx, client.SecretCreateOptions{Spec: spec})
	if err != nil {
		return "", fmt.Errorf("creating secret %s: %w", spec.Name, err)
	}
	return res.ID, nil
}

// RemoveConfig removes a config by id or name; one a service's spec still
// refers to is refused (IsObjectInUse).
func (c *Client) RemoveConfig(ctx context.Context, id string) error {
	if _, err := c.api.ConfigRemove(ctx, id, client.ConfigRemoveOptions{}); err != nil {
		return fmt.Errorf("removing config %s: %w", id, err)
	}
	return nil
}

// RemoveSecret removes a secret by id or name; one a service's spec still
// refers to is refused (IsObjectInUse).
func (c *Client) RemoveSecret(ctx context.Context, id string) error {
	if _, err := c.api.SecretRemove(ctx, id, client.SecretRemoveOptions{}); err != nil {
		return fmt.Errorf("removing secret %s: %w", id, err)
	}
	return nil
}
