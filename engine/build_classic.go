package engine

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/moby/api/types/build"
	"github.com/tonistiigi/fsutil"
)

// buildClassic runs req on the classic builder, for engines without
// BuildKit: the context goes as a tar stream in the request's body,
// written while the engine reads it, so it is never held in memory.
func (c *Client) buildClassic(ctx context.Context, req BuildRequest, progress func(BuildProgress)) (string, error) {
	if len(req.Secrets) > 0 || len(req.SSH) > 0 {
		return "", errors.New("build secrets and ssh need BuildKit, which this Docker engine lacks; remove them from the build section")
	}
	opts := buildOptions(req, "")
	opts.Version = build.BuilderV1
	var body io.Reader
	if req.ContextURL != "" {
		opts.Dockerfile = req.Dockerfile
	} else {
		name, inContext, err := classicDockerfile(req)
		if err != nil {
			return "", err
		}
		opts.RemoteContext, opts.Dockerfile = "", name
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeContextTar(ctx, req, name, inContext, pw)) }()
		defer pr.Close()
		body = pr
	}
	res, err := c.api.ImageBuild(ctx, body, opts)
	if err != nil {
		return "", buildFailed(req.Tags[0], err)
	}
	defer res.Body.Close()
	id, err := readBuildStream(res.Body, newTrace(progress))
	if err != nil {
		return "", buildFailed(req.Tags[0], err)
	}
	return id, nil
}

// classicDockerfile is the Dockerfile's name inside the tar: its path in
// the context, or, for one from elsewhere (or inline), a name of its own
// that the tar carries too.
func classicDockerfile(req BuildRequest) (name string, inContext bool, err error) {
	if req.DockerfileInline == nil {
		rel, err := filepath.Rel(req.ContextDir, req.Dockerfile)
		if err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.ToSlash(rel), true, nil
		}
	}
	return ".dockerfile." + randomID()[:12], false, nil
}

// writeContextTar writes the filtered context, and the Dockerfile first
// when it comes from outside the context.
func writeContextTar(ctx context.Context, req BuildRequest, name string, inContext bool, w io.Writer) error {
	if !inContext {
		if err := writeDockerfileEntry(req, name, w); err != nil {
			return err
		}
	}
	base, err := fsutil.NewFS(req.ContextDir)
	if err != nil {
		return fmt.Errorf("reading the build context %s: %w", req.ContextDir, err)
	}
	excludes := req.Excludes
	if inContext {
		// The engine reads the Dockerfile from the context, even an
		// ignored one.
		excludes = append(append([]string(nil), excludes...), "!"+name)
	}
	filtered, err := fsutil.NewFilterFS(base, &fsutil.FilterOpt{ExcludePatterns: excludes})
	if err != nil {
		return fmt.Errorf("applying the ignore file: %w", err)
	}
	return fsutil.WriteTar(ctx, filtered, w)
}

// writeDockerfileEntry writes one tar entry without the archive's end, so
// the context's entries follow it in the same archive.
func writeDockerfileEntry(req BuildRequest, name string, w io.Writer) error {
	data := req.DockerfileInline
	if data == nil {
		var err error
		if data, err = os.ReadFile(req.Dockerfile); err != nil {
			return fmt.Errorf("reading the Dockerfile: %w", err)
		}
	}
	tw := tar.NewWriter(w)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(data)), Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	return tw.Flush()
}
