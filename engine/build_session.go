package engine

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"

	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	"github.com/moby/buildkit/session/secrets"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"
	"github.com/tonistiigi/fsutil"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// The local names the engine's Dockerfile frontend asks the session for.
const (
	dirContext    = "context"
	dirDockerfile = "dockerfile"
)

// buildSession is the BuildKit session of one build: the engine calls
// back through it for the context, the Dockerfile, secrets and SSH.
type buildSession struct {
	s *session.Session
}

// newBuildSession prepares the session of req, with the Dockerfile served
// from dockerfileDir. Its shared key is the context key: the engine keeps
// the files a session sent under it, so the next build of the same
// context (with the same key) sends only what changed.
func newBuildSession(ctx context.Context, req BuildRequest, dockerfileDir string) (*buildSession, error) {
	s, err := session.NewSession(ctx, req.ContextKey)
	if err != nil {
		return nil, fmt.Errorf("starting the build session: %w", err)
	}
	bs := &buildSession{s: s}
	if req.ContextDir != "" {
		if err := bs.allowFiles(req, dockerfileDir); err != nil {
			return nil, err
		}
	}
	if len(req.Secrets) > 0 {
		s.Allow(secretsprovider.NewSecretProvider(secretStore(req.Secrets)))
	}
	if len(req.SSH) > 0 {
		confs := make([]sshprovider.AgentConfig, 0, len(req.SSH))
		for _, k := range req.SSH {
			confs = append(confs, sshprovider.AgentConfig{ID: k.ID, Paths: k.Paths})
		}
		agents, err := sshprovider.NewSSHAgentProvider(confs)
		if err != nil {
			return nil, fmt.Errorf("preparing build ssh: %w", err)
		}
		s.Allow(agents)
	}
	if req.Auth != nil {
		s.Allow(&sessionAuth{lookup: req.Auth})
	}
	return bs, nil
}

// allowFiles serves the context (without its excluded files) and the
// folder holding the Dockerfile.
func (bs *buildSession) allowFiles(req BuildRequest, dockerfileDir string) error {
	contextFS, err := fsutil.NewFS(req.ContextDir)
	if err != nil {
		return fmt.Errorf("reading the build context %s: %w", req.ContextDir, err)
	}
	dockerfileFS, err := fsutil.NewFS(dockerfileDir)
	if err != nil {
		return fmt.Errorf("reading the Dockerfile's folder %s: %w", dockerfileDir, err)
	}
	dirs := filesync.StaticDirSource{dirContext: contextFS, dirDockerfile: dockerfileFS}
	provider := filesync.NewFSSyncProvider(dirs, contextFilter(req.Excludes))
	server, ok := provider.(filesync.FileSyncServer)
	if !ok {
		bs.s.Allow(provider)
		return nil
	}
	bs.s.Allow(gatedSync{FileSyncServer: server, key: req.ContextKey})
	return nil
}

// run connects the session to the engine over its /session endpoint and
// serves it until ctx ends.
func (bs *buildSession) run(ctx context.Context, c *Client) {
	go func() {
		_ = bs.s.Run(ctx, func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return c.api.DialHijack(ctx, "/session", proto, meta)
		})
	}()
}

func (bs *buildSession) close() { _ = bs.s.Close() }

// contextFilter leaves the ignore file's patterns out of the context.
// berth applies them itself, so the .dockerignore (or the Dockerfile's
// own ignore file) it chose is the one that counts: the frontend's look
// for an ignore file of its own is answered with nothing, else it would
// add .dockerignore's patterns to those of the Dockerfile's ignore file.
func contextFilter(excludes []string) filesync.FilterOptFunc {
	return func(dir string, o *fsutil.FilterOpt) error {
		switch {
		case readsIgnoreFile(o) || dir == dirDockerfile:
			o.ExcludePatterns = append(o.ExcludePatterns, "*.dockerignore")
		case dir == dirContext:
			o.ExcludePatterns = append(o.ExcludePatterns, excludes...)
		}
		return nil
	}
}

// readsIgnoreFile: the frontend asks for ignore files only.
func readsIgnoreFile(o *fsutil.FilterOpt) bool {
	paths := append(append([]string(nil), o.FollowPaths...), o.IncludePatterns...)
	for _, p := range paths {
		if !strings.HasSuffix(p, ".dockerignore") {
			return false
		}
	}
	return len(paths) > 0
}

// gatedSync is the file sync service, sending a context only while no
// other build of this process sends the same one (see contextGates).
type gatedSync struct {
	filesync.FileSyncServer
	key string
}

func (g gatedSync) Register(s *grpc.Server) { filesync.RegisterFileSyncServer(s, g) }

func (g gatedSync) DiffCopy(stream filesync.FileSync_DiffCopyServer) error {
	if g.key != "" && sendsContext(stream.Context()) {
		release, err := contextGates.acquire(stream.Context(), g.key)
		if err != nil {
			return err
		}
		defer release()
	}
	return g.FileSyncServer.DiffCopy(stream)
}

// sendsContext reads the request's metadata: the context folder, asked
// for more than its ignore files.
func sendsContext(ctx context.Context) bool {
	md, _ := metadata.FromIncomingContext(ctx)
	if dir := md.Get("dir-name"); len(dir) == 0 || dir[0] != dirContext {
		return false
	}
	return !readsIgnoreFile(&fsutil.FilterOpt{FollowPaths: md.Get("followpaths"), IncludePatterns: md.Get("include-patterns")})
}

// secretStore hands out the build's secrets by id, reading a file only
// when a step asks for it.
type secretStore []BuildSecret

func (s secretStore) GetSecret(_ context.Context, id string) ([]byte, error) {
	for _, sec := range s {
		if sec.ID != id {
			continue
		}
		if sec.File == "" {
			return sec.Value, nil
		}
		data, err := os.ReadFile(sec.File)
		if err != nil {
			return nil, fmt.Errorf("reading build secret %s: %w", id, err)
		}
		return data, nil
	}
	return nil, fmt.Errorf("build secret %s: %w", id, secrets.ErrNotFound)
}

// contextGates makes builds of the same context send it one after the
// other: the engine keeps one copy per context key, and a build that
// finds it busy with another's transfer makes a fresh one and gets every
// file again, where after the first only changed files travel. Only the
// transfers wait for each other; the builds around them run at once.
// It is process-wide on purpose: the copies it protects are the engine's,
// shared by every client of this process.
var contextGates = &gates{m: map[string]chan struct{}{}}

type gates struct {
	mu sync.Mutex
	m  map[string]chan struct{}
}

// acquire waits for key's gate; release may be called more than once.
func (g *gates) acquire(ctx context.Context, key string) (release func(), err error) {
	g.mu.Lock()
	ch := g.m[key]
	if ch == nil {
		ch = make(chan struct{}, 1)
		g.m[key] = ch
	}
	g.mu.Unlock()
	select {
	case ch <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var once sync.Once
	return func() { once.Do(func() { <-ch }) }, nil
}
