package stack

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/moby/api/types/swarm"
)

// defaultFileMode is the mode of a config or secret file whose reference
// sets none: world-readable, read-only, as docker stack makes them.
const defaultFileMode = 0o444

// The sizes a swarm stores, found on Engine 20.10: the manager refuses an
// empty object and one of maxConfigSize or maxSecretSize bytes or more.
const (
	maxConfigSize = 1024000
	maxSecretSize = 512000
)

// configRefs are the service's configs, each as a file in the container:
// at its target, else at /<key>. A relative target is made absolute under
// /, where the engine would put it anyway.
func (b *serviceBuilder) configRefs() ([]*swarm.ConfigReference, error) {
	var out []*swarm.ConfigReference
	for _, ref := range b.s.Configs {
		if _, ok := b.p.Configs[ref.Source]; !ok {
			return nil, b.fail("configs", "config %q is not defined in the project; declare it under the top-level configs", ref.Source)
		}
		obj, ok := b.refs.Configs[ref.Source]
		if !ok {
			return nil, b.fail("configs", "config %q has no swarm object in this deploy", ref.Source)
		}
		target := ref.Target
		switch {
		case target == "":
			target = "/" + ref.Source
		case !strings.HasPrefix(target, "/"):
			target = "/" + target
		}
		file, err := b.fileTarget("configs", types.FileReferenceConfig(ref), target)
		if err != nil {
			return nil, err
		}
		out = append(out, &swarm.ConfigReference{
			File:       (*swarm.ConfigReferenceFileTarget)(file),
			ConfigID:   obj.ID,
			ConfigName: obj.Name,
		})
	}
	return out, nil
}

// secretRefs are the service's secrets, each as a file in the container.
// The engine reads a relative target as a name under /run/secrets, the
// Compose Specification's default place, so it is passed on as written;
// compose-go already gave a secret without target /run/secrets/<key>.
func (b *serviceBuilder) secretRefs() ([]*swarm.SecretReference, error) {
	var out []*swarm.SecretReference
	for _, ref := range b.s.Secrets {
		if _, ok := b.p.Secrets[ref.Source]; !ok {
			return nil, b.fail("secrets", "secret %q is not defined in the project; declare it under the top-level secrets", ref.Source)
		}
		obj, ok := b.refs.Secrets[ref.Source]
		if !ok {
			return nil, b.fail("secrets", "secret %q has no swarm object in this deploy", ref.Source)
		}
		target := ref.Target
		if target == "" {
			target = ref.Source
		}
		file, err := b.fileTarget("secrets", types.FileReferenceConfig(ref), target)
		if err != nil {
			return nil, err
		}
		out = append(out, &swarm.SecretReference{
			File:       (*swarm.SecretReferenceFileTarget)(file),
			SecretID:   obj.ID,
			SecretName: obj.Name,
		})
	}
	return out, nil
}

// fileTarget is where and how a reference's file appears: owned by root
// and mode 0444 unless the reference says otherwise.
func (b *serviceBuilder) fileTarget(attribute string, ref types.FileReferenceConfig, target string) (*swarm.SecretReferenceFileTarget, error) {
	file := &swarm.SecretReferenceFileTarget{Name: target, UID: "0", GID: "0", Mode: defaultFileMode}
	for _, id := range []struct {
		name, value string
		into        *string
	}{{"uid", ref.UID, &file.UID}, {"gid", ref.GID, &file.GID}} {
		if id.value == "" {
			continue
		}
		if n, err := strconv.Atoi(id.value); err != nil || n < 0 {
			return nil, b.fail(attribute, "%s: %s %q is not a number; swarm takes numeric ids", ref.Source, id.name, id.value)
		}
		*id.into = id.value
	}
	if ref.Mode != nil {
		// The bits as written: the engine applies them as a Unix mode.
		file.Mode = os.FileMode(*ref.Mode)
	}
	return file, nil
}

// ObjectData reads a config's or secret's content: from file (relative
// paths are already absolute after compose-go loading; one that is not is
// taken against the project directory), content:, or environment: (the
// variable from the project's environment, p.Environment). kind is
// "config" or "secret", for error text.
//
// An external object has no data here, which is an error: the deploy uses
// the swarm's. One a driver provides (a secret with driver:) has none
// either, and yields nil without error. Data the swarm would refuse (empty,
// or past its size limit) is an error naming the object.
func ObjectData(p *types.Project, kind, key string, o types.FileObjectConfig) ([]byte, error) {
	var data []byte
	switch {
	case bool(o.External):
		return nil, fmt.Errorf("%s %q is external: its data is the swarm's own %s %q", kind, key, kind, o.Name)
	case o.File != "":
		file := o.File
		if !filepath.IsAbs(file) {
			file = p.RelativePath(file)
		}
		raw, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("%s %q: reading its file: %w", kind, key, err)
		}
		data = raw
	case o.Environment != "":
		value, ok := p.Environment[o.Environment]
		if !ok {
			return nil, fmt.Errorf("%s %q takes its value from the variable %s, which is not set; set it in the environment or the .env file", kind, key, o.Environment)
		}
		data = []byte(value)
	case o.Content != "":
		data = []byte(o.Content)
	case o.Driver != "":
		return nil, nil
	default:
		return nil, fmt.Errorf("%s %q has no file:, content: or environment:; give it one, or mark it external", kind, key)
	}
	if err := checkObjectSize(kind, key, len(data)); err != nil {
		return nil, err
	}
	return data, nil
}

func checkObjectSize(kind, key string, size int) error {
	limit := maxConfigSize
	if kind == "secret" {
		limit = maxSecretSize
	}
	switch {
	case size == 0:
		return fmt.Errorf("%s %q is empty, and the swarm stores no empty %s; give it some content", kind, key, kind)
	case size >= limit:
		return fmt.Errorf("%s %q is %d bytes; the swarm stores a %s only under %d bytes", kind, key, size, kind, limit)
	}
	return nil
}
