package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"
	"golang.org/x/sync/errgroup"

	"github.com/berth-compose/berth/engine"
)

// Desired is what a deploy needs to know beyond the compose file, read
// from disk and the registries before planning so the plan stays pure.
type Desired struct {
	// Images maps each service to the image its tasks run: pinned to the
	// digest its registry gave, or as written where none could be asked.
	Images map[string]string
	// Configs and Secrets map a project key to the object it deploys as.
	Configs map[string]Object
	Secrets map[string]Object
	// Warnings are said once before the plan runs.
	Warnings []string
	// Salt is the stack's secret salt, labelled on each secret it makes.
	Salt string
}

// SecretSalt is the salt of the stack's secret versions: the one its
// secrets carry, or a new random one for a stack that has none yet.
func SecretSalt(obs *Observed) (string, error) {
	for _, s := range obs.Secrets {
		if salt := s.Spec.Labels[LabelSalt]; salt != "" {
			return salt, nil
		}
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("making a salt for the stack's secrets: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Object is a config or secret as this deploy wants it.
type Object struct {
	Key  string
	Name string // versioned for a stack's own; as given for an external one
	Data []byte // nil for an external one
	// ID is known for an external object, and for a stack's own once
	// it exists.
	ID       string
	External bool
}

// AuthFunc gives the registry login for an image reference.
type AuthFunc func(ref string) (engine.RegistryAuth, error)

// Resolve reads every config and secret and asks the registries for each
// image's digest, all images at once.
//
// salt goes into the hash that versions a secret (SecretSalt gives the
// stack's): a secret's name is printed and logged, and a bare hash of a
// short password would give the password away.
func Resolve(ctx context.Context, e Engine, p *types.Project, auth AuthFunc, salt string) (*Desired, error) {
	d := &Desired{Images: map[string]string{}, Salt: salt}
	var err error
	if d.Configs, err = objects(ctx, e, p, "config", fileObjects(p.Configs), ""); err != nil {
		return nil, err
	}
	if d.Secrets, err = objects(ctx, e, p, "secret", fileObjects(p.Secrets), salt); err != nil {
		return nil, err
	}
	if err := checkExternalNetworks(ctx, e, p); err != nil {
		return nil, err
	}
	d.Warnings = append(d.Warnings, resolveImages(ctx, e, p, auth, d.Images)...)
	return d, nil
}

// fileObjects views configs and secrets alike: compose-go gives both the
// same shape under two names.
func fileObjects[V types.ConfigObjConfig | types.SecretConfig](m map[string]V) map[string]types.FileObjectConfig {
	out := make(map[string]types.FileObjectConfig, len(m))
	for k, v := range m {
		out[k] = types.FileObjectConfig(v)
	}
	return out
}

// objects versions the project's own configs (or secrets) by content and
// finds the external ones by name.
func objects(ctx context.Context, e Engine, p *types.Project, kind string, defs map[string]types.FileObjectConfig, salt string) (map[string]Object, error) {
	out := map[string]Object{}
	var external map[string]string // name → id, listed once if needed
	for _, key := range sortedKeys(defs) {
		def := defs[key]
		if bool(def.External) {
			if external == nil {
				var err error
				if external, err = listObjectNames(ctx, e, kind); err != nil {
					return nil, err
				}
			}
			name := orKey(def.Name, key)
			id, ok := external[name]
			if !ok {
				return nil, fmt.Errorf("%s %q is external, but the swarm has no %s named %q: create it first (docker %s create %s FILE)", kind, key, kind, name, kind, name)
			}
			out[key] = Object{Key: key, Name: name, ID: id, External: true}
			continue
		}
		data, err := ObjectData(p, kind, key, def)
		if err != nil {
			return nil, err
		}
		out[key] = Object{Key: key, Name: VersionedName(orKey(def.Name, p.Name+"_"+key), append([]byte(salt), data...)), Data: data}
	}
	return out, nil
}

func orKey(name, key string) string {
	if name != "" {
		return name
	}
	return key
}

func listObjectNames(ctx context.Context, e Engine, kind string) (map[string]string, error) {
	names := map[string]string{}
	if kind == "config" {
		all, err := e.ListConfigs(ctx, engine.Filter{})
		if err != nil {
			return nil, fmt.Errorf("listing the swarm's configs: %w", err)
		}
		for _, c := range all {
			names[c.Spec.Name] = c.ID
		}
		return names, nil
	}
	all, err := e.ListSecrets(ctx, engine.Filter{})
	if err != nil {
		return nil, fmt.Errorf("listing the swarm's secrets: %w", err)
	}
	for _, s := range all {
		names[s.Spec.Name] = s.ID
	}
	return names, nil
}

// checkExternalNetworks fails early, before anything changes, when a
// network the file says exists does not.
func checkExternalNetworks(ctx context.Context, e Engine, p *types.Project) error {
	for _, key := range sortedKeys(p.Networks) {
		n := p.Networks[key]
		if !bool(n.External) {
			continue
		}
		name := orKey(n.Name, key)
		got, err := e.InspectNetwork(ctx, name)
		if engine.IsNotFound(err) {
			return fmt.Errorf("network %q is external, but the engine has no network %q: create it first (docker network create --driver overlay --attachable %s)", key, name, name)
		}
		if err != nil {
			return fmt.Errorf("looking up external network %s: %w", name, err)
		}
		if got.Scope != "swarm" && got.Name != "host" && got.Name != "ingress" {
			return fmt.Errorf("network %q is external, but %q is a %s network of one engine: services need a swarm-scoped one (docker network create --driver overlay %s)", key, name, got.Scope, name)
		}
	}
	return nil
}

// resolveImages pins each distinct image to its registry digest, so every
// node runs the same image even if the tag moves mid-update. An image the
// registry cannot be asked about (none reachable, a local build) runs as
// written, with a warning: each node then uses what it has or pulls.
func resolveImages(ctx context.Context, e Engine, p *types.Project, auth AuthFunc, into map[string]string) []string {
	refs := map[string]string{} // image as written → pinned
	for _, s := range p.Services {
		refs[s.Image] = s.Image
	}
	var mu sync.Mutex
	var warnings []string
	g, gctx := errgroup.WithContext(ctx)
	for _, ref := range sortedKeys(refs) {
		if ref == "" || hasDigest(ref) {
			continue
		}
		g.Go(func() error {
			pinned, err := pin(gctx, e, ref, auth)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("image %s: no digest from its registry (%v); the nodes run whatever %s they have or can pull", ref, err, ref))
				return nil
			}
			refs[ref] = pinned
			return nil
		})
	}
	_ = g.Wait() // pin never fails the group: a failure is a warning
	for _, s := range p.Services {
		into[s.Name] = refs[s.Image]
	}
	slices.Sort(warnings)
	return warnings
}

func pin(ctx context.Context, e Engine, ref string, auth AuthFunc) (string, error) {
	var login engine.RegistryAuth
	if auth != nil {
		var err error
		if login, err = auth(ref); err != nil {
			return "", err
		}
	}
	digested, err := e.ImageDigest(ctx, ref, login)
	if err != nil {
		return "", err
	}
	// Keep the tag the user wrote beside the digest: `docker service ps`
	// then still says which tag a task runs.
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return "", err
	}
	canonical, err := reference.ParseNormalizedNamed(digested)
	if err != nil {
		return "", err
	}
	c, ok := canonical.(reference.Canonical)
	if !ok {
		return "", fmt.Errorf("the registry's answer %q has no digest", digested)
	}
	withDigest, err := reference.WithDigest(reference.TagNameOnly(named), c.Digest())
	if err != nil {
		return "", err
	}
	return reference.FamiliarString(withDigest), nil
}

// sameTag says whether pinned, less its digest, names the image ref names.
func sameTag(pinned, ref string) bool {
	a, errA := reference.ParseNormalizedNamed(pinned)
	b, errB := reference.ParseNormalizedNamed(ref)
	if errA != nil || errB != nil {
		return false
	}
	ta, okA := reference.TagNameOnly(a).(reference.Tagged)
	tb, okB := reference.TagNameOnly(b).(reference.Tagged)
	return a.Name() == b.Name() && okA && okB && ta.Tag() == tb.Tag()
}

func hasDigest(ref string) bool {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return false
	}
	_, ok := named.(reference.Digested)
	return ok
}
