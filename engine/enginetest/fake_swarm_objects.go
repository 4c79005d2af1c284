package enginetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
	"github.com/distribution/reference"
	"github.com/moby/moby/api/types/swarm"
)

// The manager's limits on the data of a config and of a secret.
const (
	maxConfigData = 1000 * 1024
	maxSecretData = 500 * 1024
)

// ListConfigs lists the configs whose labels match flt, sorted by name,
// with their data.
func (f *Fake) ListConfigs(ctx context.Context, flt engine.Filter) ([]swarm.Config, error) {
	if err := f.swarmBegin(ctx, "ListConfigs", filterLabels(flt), "listing configs"); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	var all []swarm.Config
	for _, c := range f.swarm.configs {
		all = append(all, *c)
	}
	return list(all, flt, func(c swarm.Config) (string, map[string]string) { return c.Spec.Name, c.Spec.Labels },
		clone[swarm.Config]), nil
}

// ListSecrets lists the secrets whose labels match flt, sorted by name,
// without their data, as the engine never sends it.
func (f *Fake) ListSecrets(ctx context.Context, flt engine.Filter) ([]swarm.Secret, error) {
	if err := f.swarmBegin(ctx, "ListSecrets", filterLabels(flt), "listing secrets"); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	var all []swarm.Secret
	for _, s := range f.swarm.secrets {
		all = append(all, *s)
	}
	return list(all, flt, func(s swarm.Secret) (string, map[string]string) { return s.Spec.Name, s.Spec.Labels },
		func(s swarm.Secret) swarm.Secret { s = clone(s); s.Spec.Data = nil; return s }), nil
}

// CreateConfig stores a config under a name no other config has.
func (f *Fake) CreateConfig(ctx context.Context, spec swarm.ConfigSpec) (string, error) {
	asking := "creating config " + spec.Name
	if err := f.swarmBegin(ctx, "CreateConfig", spec.Name, asking); err != nil {
		return "", err
	}
	defer f.mu.Unlock()
	taken := slices.ContainsFunc(slices.Collect(maps.Values(f.swarm.configs)), func(c *swarm.Config) bool { return c.Spec.Name == spec.Name })
	if err := checkNewObject("config", spec.Name, len(spec.Data), maxConfigData, taken); err != nil {
		return "", fmt.Errorf("%s: %w", asking, err)
	}
	c := &swarm.Config{ID: f.swarmID("config"), Meta: f.newMeta(), Spec: clone(spec)}
	if c.Spec.Labels == nil {
		c.Spec.Labels = map[string]string{}
	}
	f.swarm.configs[c.ID] = c
	return c.ID, nil
}

// CreateSecret stores a secret under a name no other secret has.
func (f *Fake) CreateSecret(ctx context.Context, spec swarm.SecretSpec) (string, error) {
	asking := "creating secret " + spec.Name
	if err := f.swarmBegin(ctx, "CreateSecret", spec.Name, asking); err != nil {
		return "", err
	}
	defer f.mu.Unlock()
	taken := slices.ContainsFunc(slices.Collect(maps.Values(f.swarm.secrets)), func(s *swarm.Secret) bool { return s.Spec.Name == spec.Name })
	if err := checkNewObject("secret", spec.Name, len(spec.Data), maxSecretData, taken); err != nil {
		return "", fmt.Errorf("%s: %w", asking, err)
	}
	s := &swarm.Secret{ID: f.swarmID("secret"), Meta: f.newMeta(), Spec: clone(spec)}
	if s.Spec.Labels == nil {
		s.Spec.Labels = map[string]string{}
	}
	f.swarm.secrets[s.ID] = s
	return s.ID, nil
}

// checkNewObject refuses a config or secret as the manager does: data
// empty or too large is an invalid argument, a taken name a conflict.
func checkNewObject(kind, name string, size, limit int, taken bool) error {
	switch {
	case size == 0 || size >= limit:
		return engine.ErrInvalidArgument.WithMessage(fmt.Sprintf("%s data must be larger than 0 and less than %d bytes", kind, limit))
	case taken:
		return engine.ErrConflict.WithMessage(fmt.Sprintf("%s %s already exists", kind, name))
	}
	return nil
}

func (f *Fake) newMeta() swarm.Meta {
	now := f.now()
	return swarm.Meta{Version: f.swarm.write(), CreatedAt: now, UpdatedAt: now}
}

// RemoveConfig removes a config by id, name or id prefix, unless a
// service's spec refers to it.
func (f *Fake) RemoveConfig(ctx context.Context, id string) error {
	asking := "removing config " + id
	if err := f.swarmBegin(ctx, "RemoveConfig", id, asking); err != nil {
		return err
	}
	defer f.mu.Unlock()
	c, ok := lookup(f.swarm.configs, id, func(c *swarm.Config) string { return c.Spec.Name })
	if !ok {
		return fmt.Errorf("%s: %w", asking, engine.ErrNotFound.WithMessage(fmt.Sprintf("config %s not found", id)))
	}
	if err := objectInUse("config", c.Spec.Name, f.servicesUsing(func(cs *swarm.ContainerSpec) bool {
		return slices.ContainsFunc(cs.Configs, func(r *swarm.ConfigReference) bool { return r.ConfigID == c.ID })
	})); err != nil {
		return fmt.Errorf("%s: %w", asking, err)
	}
	delete(f.swarm.configs, c.ID)
	f.swarm.write()
	return nil
}

// RemoveSecret removes a secret by id, name or id prefix, unless a
// service's spec refers to it.
func (f *Fake) RemoveSecret(ctx context.Context, id string) error {
	asking := "removing secret " + id
	if err := f.swarmBegin(ctx, "RemoveSecret", id, asking); err != nil {
		return err
	}
	defer f.mu.Unlock()
	s, ok := lookup(f.swarm.secrets, id, func(s *swarm.Secret) string { return s.Spec.Name })
	if !ok {
		return fmt.Errorf("%s: %w", asking, engine.ErrNotFound.WithMessage(fmt.Sprintf("secret %s not found", id)))
	}
	if err := objectInUse("secret", s.Spec.Name, f.servicesUsing(func(cs *swarm.ContainerSpec) bool {
		return slices.ContainsFunc(cs.Secrets, func(r *swarm.SecretReference) bool { return r.SecretID == s.ID })
	})); err != nil {
		return fmt.Errorf("%s: %w", asking, err)
	}
	delete(f.swarm.secrets, s.ID)
	f.swarm.write()
	return nil
}

// servicesUsing names, sorted, the services whose current spec's
// container uses what uses says. The caller holds the Fake's lock.
func (f *Fake) servicesUsing(uses func(*swarm.ContainerSpec) bool) []string {
	var names []string
	for _, rec := range f.swarm.services {
		if cs := rec.svc.Spec.TaskTemplate.ContainerSpec; cs != nil && uses(cs) {
			names = append(names, rec.svc.Spec.Name)
		}
	}
	slices.Sort(names)
	return names
}

// objectInUse is the manager's refusal to remove an object services use:
// a 400, for which engine.IsObjectInUse holds.
func objectInUse(kind, name string, services []string) error {
	switch len(services) {
	case 0:
		return nil
	case 1:
		return engine.ErrInvalidArgument.WithMessage(fmt.Sprintf("%s '%s' is in use by the following service: %s", kind, name, services[0]))
	}
	return engine.ErrInvalidArgument.WithMessage(fmt.Sprintf("%s '%s' is in use by the following services: %s", kind, name, strings.Join(services, ", ")))
}

// checkObjectRefs refuses a container spec that names a config or secret
// the manager does not hold, by id and name both, as the engine does. The
// caller holds the Fake's lock.
func (f *Fake) checkObjectRefs(cs *swarm.ContainerSpec) error {
	if cs == nil {
		return nil
	}
	var missing []string
	for _, r := range cs.Configs {
		if c, ok := f.swarm.configs[r.ConfigID]; !ok || c.Spec.Name != r.ConfigName {
			missing = append(missing, r.ConfigName)
		}
	}
	if len(missing) > 0 {
		return engine.ErrInvalidArgument.WithMessage("config not found: " + strings.Join(missing, ", "))
	}
	for _, r := range cs.Secrets {
		if s, ok := f.swarm.secrets[r.SecretID]; !ok || s.Spec.Name != r.SecretName {
			missing = append(missing, r.SecretName)
		}
	}
	if len(missing) > 0 {
		return engine.ErrInvalidArgument.WithMessage("secret not found: " + strings.Join(missing, ", "))
	}
	return nil
}

// networkInUse is the manager's refusal to remove a network a service's
// spec attaches to (a 400, for which engine.IsInUse holds). The caller
// holds the Fake's lock.
func (f *Fake) networkInUse(n *engine.Network) error {
	for _, id := range slices.Sorted(maps.Keys(f.swarm.services)) {
		rec := f.swarm.services[id]
		if slices.ContainsFunc(rec.svc.Spec.TaskTemplate.Networks, func(a swarm.NetworkAttachmentConfig) bool { return a.Target == n.ID }) {
			return engine.ErrInvalidArgument.WithMessage(fmt.Sprintf("network %s is in use by service %s", n.ID, rec.svc.ID))
		}
	}
	return nil
}

// networkScope is the scope a network of driver gets: an overlay network
// made on a manager spans the swarm.
func networkScope(driver string) string {
	if driver == "overlay" {
		return "swarm"
	}
	return "local"
}

// WithImageDigest makes the registry of ref know it as digest
// ("sha256:..."), for ImageDigest; the pinned reference is then known too.
// It panics on a reference or digest that does not parse.
func (f *Fake) WithImageDigest(ref, digest string) *Fake {
	pinned, err := pin(ref, digest)
	if err != nil {
		panic(fmt.Sprintf("enginetest: WithImageDigest(%q, %q): %v", ref, digest, err))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.swarm.digests[normalizeRef(ref)] = digest
	f.swarm.digests[normalizeRef(pinned)] = digest
	return f
}

// ImageDigest answers what WithImageDigest set, or, for an image pushed
// to the fake registry (PushImage, WithRegistryImage), a digest made from
// its id. Any other ref is not found, as a registry that is reached but
// does not know the tag answers ("manifest unknown"); the fake has no
// unreachable registries. Logins are checked as for a pull. Like the
// engine it answers outside a swarm too.
func (f *Fake) ImageDigest(ctx context.Context, ref string, auth engine.RegistryAuth) (string, error) {
	if err := f.begin(ctx, "ImageDigest", ref); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fail := func(err error) error { return fmt.Errorf("asking the registry for the digest of %s: %w", ref, err) }
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		return "", fail(err)
	}
	if err := f.registry.check(ref, auth); err != nil {
		return "", fail(err)
	}
	norm := normalizeRef(ref)
	digest, ok := f.swarm.digests[norm]
	if id, pushed := f.registry.repos[norm]; !ok && pushed {
		sum := sha256.Sum256([]byte(id))
		digest, ok = "sha256:"+hex.EncodeToString(sum[:]), true
	}
	if !ok {
		return "", fail(engine.ErrNotFound.WithMessage("manifest unknown: manifest unknown"))
	}
	pinned, err := pin(ref, digest)
	if err != nil {
		return "", fail(err)
	}
	return pinned, nil
}

// pin is ref's repository at digest, in the short form the engine's
// client gives: "busybox@sha256:...".
func pin(ref, digest string) (string, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", err
	}
	pinned, err := reference.ParseNormalizedNamed(reference.TrimNamed(named).Name() + "@" + digest)
	if err != nil {
		return "", err
	}
	return reference.FamiliarString(pinned), nil
}
