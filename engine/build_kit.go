package engine

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// remoteClientSession tells the engine the context comes through the
// session rather than in the request's body.
const remoteClientSession = "client-session"

// buildKit runs req on the engine's BuildKit builder.
func (c *Client) buildKit(ctx context.Context, req BuildRequest, progress func(BuildProgress)) (string, error) {
	dockerfileDir, dockerfileName, cleanup, err := dockerfileOnDisk(req)
	if err != nil {
		return "", err
	}
	defer cleanup()
	bs, err := newBuildSession(ctx, req, dockerfileDir)
	if err != nil {
		return "", err
	}
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	bs.run(sctx, c)
	defer bs.close()

	opts := buildOptions(req, dockerfileName)
	opts.Version, opts.SessionID, opts.BuildID = build.BuilderBuildKit, bs.s.ID(), randomID()
	res, err := c.api.ImageBuild(ctx, nil, opts)
	if err != nil {
		return "", buildFailed(req.Tags[0], err)
	}
	defer res.Body.Close()
	stop := context.AfterFunc(ctx, func() {
		// The engine goes on with a build whose client left; say so.
		_, _ = c.api.BuildCancel(context.WithoutCancel(ctx), opts.BuildID, client.BuildCancelOptions{})
	})
	defer stop()
	id, err := readBuildStream(res.Body, newTrace(progress))
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", buildFailed(req.Tags[0], err)
	}
	return id, nil
}

// dockerfileOnDisk is the folder and name the session serves the
// Dockerfile from: its own, or, for an inline Dockerfile, a temporary
// folder cleanup removes. A context URL has its Dockerfile inside.
func dockerfileOnDisk(req BuildRequest) (dir, name string, cleanup func(), err error) {
	cleanup = func() {}
	switch {
	case req.ContextURL != "" && req.DockerfileInline == nil:
		return "", req.Dockerfile, cleanup, nil
	case req.DockerfileInline == nil:
		return filepath.Dir(req.Dockerfile), filepath.Base(req.Dockerfile), cleanup, nil
	}
	dir, err = os.MkdirTemp("", "berth-dockerfile-")
	if err != nil {
		return "", "", cleanup, fmt.Errorf("writing the inline Dockerfile: %w", err)
	}
	cleanup = func() { _ = os.RemoveAll(dir) }
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), req.DockerfileInline, 0o600); err != nil {
		cleanup()
		return "", "", func() {}, fmt.Errorf("writing the inline Dockerfile: %w", err)
	}
	return dir, "Dockerfile", cleanup, nil
}

// buildOptions maps the request onto the engine's build parameters.
func buildOptions(req BuildRequest, dockerfileName string) client.ImageBuildOptions {
	opts := client.ImageBuildOptions{
		Tags: req.Tags, BuildArgs: req.Args, Labels: req.Labels, Target: req.Target,
		NetworkMode: req.Network, ExtraHosts: req.ExtraHosts, ShmSize: req.ShmSize, Memory: req.Memory,
		CacheFrom: req.CacheFrom, NoCache: req.NoCache, PullParent: req.Pull, Remove: true,
		Isolation: container.Isolation(req.Isolation), Dockerfile: dockerfileName, RemoteContext: remoteClientSession,
	}
	if req.ContextURL != "" {
		opts.RemoteContext = req.ContextURL
	}
	for _, u := range req.Ulimits {
		opts.Ulimits = append(opts.Ulimits, &container.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	if p := parsePlatform(req.Platform); p != nil {
		opts.Platforms = []ocispec.Platform{*p}
	}
	return opts
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
