package build

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// Options are a command's choices that change every build: build's and
// up's flags.
type Options struct {
	NoCache bool
	Pull    bool
	// Args are --build-arg values, KEY=VALUE or KEY (the value then comes
	// from the environment); they win over the file's.
	Args   []string
	Memory int64
	// SSH are --ssh agents and keys, added to each service's own.
	SSH     []types.SSHKey
	Version string // berth's, for the com.docker.compose.version label
}

// Build is one service's build, ready for the engine.
type Build struct {
	Service string
	Image   string // the image it makes: the request's first tag
	Request engine.BuildRequest
	// ContextImages are the folders named in additional_contexts, each
	// made into an image first: the main build reads them through those
	// images, which are removed once it ends.
	ContextImages []engine.BuildRequest
	// Needs are the services whose images the build reads (a FROM of
	// their image, an additional context service:NAME): their builds go
	// first.
	Needs    []string
	Warnings []string
}

// Labels docker compose gives the images it builds.
const (
	labelProject = "com.docker.compose.project"
	labelService = "com.docker.compose.service"
	labelVersion = "com.docker.compose.version"
)

// Prepare turns the build section of service s of p into a Build. It
// reads the Dockerfile and the ignore file, and checks every attribute,
// naming the service in what it reports.
func Prepare(p *types.Project, s types.ServiceConfig, o Options) (*Build, error) {
	b, err := prepare(p, s, o)
	if err != nil {
		return nil, fmt.Errorf("service %s: %w", s.Name, err)
	}
	return b, nil
}

func prepare(p *types.Project, s types.ServiceConfig, o Options) (*Build, error) {
	if s.Build == nil {
		return nil, errors.New("it has no build section")
	}
	bc := s.Build
	image := project.ImageName(p.Name, s)
	b := &Build{Service: s.Name, Image: image}
	req := &b.Request
	req.Tags = tags(image, bc.Tags)
	if err := source(req, bc); err != nil {
		return nil, err
	}
	args, err := resolveArgs(bc.Args, o.Args, p.Environment)
	if err != nil {
		return nil, err
	}
	req.Args = args
	text, err := dockerfileText(req)
	if err != nil {
		return nil, err
	}
	df := parseDockerfile(text)
	b.Needs = needs(p, s, df.bases(argValues(args)))
	if err := b.namedContexts(p, s, df); err != nil {
		return nil, err
	}
	if err := options(req, p, s, o); err != nil {
		return nil, err
	}
	for _, w := range warnings(bc) {
		b.Warnings = append(b.Warnings, "service "+s.Name+": "+w)
	}
	return b, nil
}

func tags(image string, extra []string) []string {
	out := []string{image}
	for _, t := range extra {
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// source sets the context and the Dockerfile, with the ignore file's
// patterns for a local context.
func source(req *engine.BuildRequest, bc *types.BuildConfig) error {
	if bc.DockerfileInline != "" {
		req.DockerfileInline = []byte(bc.DockerfileInline)
	}
	if IsRemote(bc.Context) {
		req.ContextURL = bc.Context
		req.Dockerfile = cmpOr(bc.Dockerfile, "Dockerfile")
		return nil
	}
	dir := cmpOr(bc.Context, ".")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("build context %s is not a folder: give build.context a folder that exists (or a git URL)", dir)
	}
	req.ContextDir = dir
	dockerfile := ""
	if req.DockerfileInline == nil {
		dockerfile = cmpOr(bc.Dockerfile, "Dockerfile")
		if !filepath.IsAbs(dockerfile) {
			dockerfile = filepath.Join(dir, dockerfile)
		}
		if fi, err := os.Stat(dockerfile); err != nil || fi.IsDir() {
			return fmt.Errorf("there is no Dockerfile at %s: fix build.dockerfile (a path in the context, or an absolute one), or use dockerfile_inline", dockerfile)
		}
		req.Dockerfile = dockerfile
	}
	ignore, err := IgnoreFile(dir, dockerfile)
	if err != nil {
		return err
	}
	if req.Excludes, err = Excludes(ignore); err != nil {
		return err
	}
	req.ContextKey = contextKey(dir, req.Excludes)
	return nil
}

// contextKey names a context with its excludes: the same folder with
// another ignore file sends other files.
func contextKey(dir string, excludes []string) string {
	sum := sha256.Sum256([]byte(dir + "\x00" + strings.Join(excludes, "\x00")))
	return "berth-" + hex.EncodeToString(sum[:16])
}

// dockerfileText is the Dockerfile's content, "" when it is inside a
// context the engine fetches.
func dockerfileText(req *engine.BuildRequest) (string, error) {
	switch {
	case req.DockerfileInline != nil:
		return string(req.DockerfileInline), nil
	case req.ContextURL != "":
		return "", nil
	}
	data, err := os.ReadFile(req.Dockerfile)
	if err != nil {
		return "", fmt.Errorf("reading the Dockerfile: %w", err)
	}
	return string(data), nil
}

// IsRemote reports whether a build context is a URL the engine fetches
// (git, or an http(s) tarball) rather than a folder.
func IsRemote(context string) bool {
	for _, prefix := range []string{"http://", "https://", "git://", "git@", "github.com/", "ssh://"} {
		if strings.HasPrefix(context, prefix) {
			return true
		}
	}
	return false
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// ShareKey is the same for builds that differ only in the images they tag
// and the service they are for: one build can make them all. It is ""
// for a build that makes images of its own first (folder contexts), which
// are named per service.
func (b *Build) ShareKey() string {
	if len(b.ContextImages) > 0 {
		return ""
	}
	req := b.Request
	req.Tags = nil
	req.Labels = maps.Clone(req.Labels)
	delete(req.Labels, labelService)
	data, err := json.Marshal(req)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Share makes b also tag other's images, for a service whose build is
// the same (ShareKey): the image then belongs to several services, so it
// names none.
func (b *Build) Share(other *Build) {
	for _, t := range other.Request.Tags {
		if !slices.Contains(b.Request.Tags, t) {
			b.Request.Tags = append(b.Request.Tags, t)
		}
	}
	delete(b.Request.Labels, labelService)
}
