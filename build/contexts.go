package build

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/distribution/reference"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// needs lists, sorted, the other services with a build section whose
// image is one of bases. Services left out of the command's selection
// count too: a build reads their image all the same.
func needs(p *types.Project, s types.ServiceConfig, bases []string) []string {
	want := map[string]bool{}
	for _, b := range bases {
		want[normalize(b)] = true
	}
	var out []string
	for _, services := range []types.Services{p.Services, p.DisabledServices} {
		for _, name := range slices.Sorted(maps.Keys(services)) {
			other := services[name]
			if name != s.Name && other.Build != nil && want[normalize(project.ImageName(p.Name, other))] && !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out
}

// Service finds a service of p by name, among those the command selected
// or those it left out (a build may read the image of one left out).
func Service(p *types.Project, name string) (types.ServiceConfig, bool) {
	if s, ok := p.Services[name]; ok {
		return s, true
	}
	s, ok := p.DisabledServices[name]
	return s, ok
}

// normalize spells an image reference as the engine resolves it, so that
// busybox and docker.io/library/busybox:latest compare equal.
func normalize(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}

// Prefixes of additional_contexts values that are not folders.
const (
	contextService = "service:"
	contextImage   = "docker-image://"
)

// namedContexts gives the Dockerfile its additional_contexts the way the
// engine's frontend can take them, which knows no named contexts: an
// image (docker-image://, or service:NAME for another service's) is
// written into the Dockerfile in place of the name; a folder is first
// built into an image of its own files, and that image is written in.
func (b *Build) namedContexts(p *types.Project, s types.ServiceConfig, df dockerfile) error {
	named := s.Build.AdditionalContexts
	if len(named) == 0 {
		return nil
	}
	if b.Request.ContextURL != "" && b.Request.DockerfileInline == nil {
		return fmt.Errorf("additional_contexts with a git context need the Dockerfile in berth's hands: use a local context or dockerfile_inline")
	}
	refs := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(named)) {
		ref, err := b.namedContext(p, s, name, named[name])
		if err != nil {
			return fmt.Errorf("additional_contexts %s: %w", name, err)
		}
		refs[name] = ref
	}
	text, changed := df.rewrite(refs)
	if changed {
		b.Request.DockerfileInline = []byte(text)
	}
	return nil
}

// namedContext is the image standing for one additional context.
func (b *Build) namedContext(p *types.Project, s types.ServiceConfig, name, value string) (string, error) {
	switch {
	case strings.HasPrefix(value, contextService):
		dep := strings.TrimPrefix(value, contextService)
		other, ok := Service(p, dep)
		if !ok {
			return "", fmt.Errorf("no such service: %s", dep)
		}
		if !slices.Contains(b.Needs, dep) {
			b.Needs = append(b.Needs, dep)
			slices.Sort(b.Needs)
		}
		return project.ImageName(p.Name, other), nil
	case strings.HasPrefix(value, contextImage):
		return strings.TrimPrefix(value, contextImage), nil
	case IsRemote(value) || strings.Contains(value, "://"):
		return "", fmt.Errorf("%s: only folders, docker-image:// and service: contexts can be given to this engine's builder", value)
	}
	if fi, err := os.Stat(value); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s is not a folder", value)
	}
	ignore, err := IgnoreFile(value, "")
	if err != nil {
		return "", err
	}
	excludes, err := Excludes(ignore)
	if err != nil {
		return "", err
	}
	tag := contextTag(b.Image, name)
	b.ContextImages = append(b.ContextImages, engine.BuildRequest{
		ContextDir: value, Excludes: excludes, ContextKey: contextKey(value, excludes),
		DockerfileInline: []byte("FROM scratch\nCOPY . /\n"), Tags: []string{tag},
		Labels: map[string]string{labelProject: p.Name, labelService: s.Name},
	})
	return tag, nil
}

// contextTag names the image of a folder context: one per service and
// context, so that builds running at once never share (or remove) one.
func contextTag(image, name string) string {
	sum := sha256.Sum256([]byte(image + "\x00" + name))
	return "berth-context-" + hex.EncodeToString(sum[:6]) + ":latest"
}
