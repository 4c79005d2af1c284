package convergence

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/berth-compose/berth/engine"
)

// injectFiles copies spec.Files into the container just created as id,
// before anything can start it. Should a copy fail, the container is
// removed: left in place, it would carry the labels of an up-to-date
// container without its files, and the next up would keep it.
func (a *applier) injectFiles(ctx context.Context, id string, spec engine.ContainerSpec) error {
	err := copyFiles(ctx, a.e, id, spec.Files, a.opts.Now())
	if err == nil {
		return nil
	}
	err = fmt.Errorf("container %s: %w", spec.Name, err)
	if rmErr := a.e.RemoveContainer(context.WithoutCancel(ctx), id, engine.RemoveOptions{Force: true}); rmErr != nil {
		return errors.Join(err, fmt.Errorf("removing the incomplete container: %w", rmErr))
	}
	return err
}

// copyFiles sends files in at most two archives: those with a declared
// owner go with the API's copyUIDGID flag and the rest without, as docker
// compose sends them.
func copyFiles(ctx context.Context, w engine.Writer, id string, files []engine.File, now time.Time) error {
	for _, owned := range []bool{false, true} {
		var group []engine.File
		for _, f := range files {
			if f.OwnerSet == owned {
				group = append(group, f)
			}
		}
		if len(group) == 0 {
			continue
		}
		archive, err := tarOf(group, now)
		if err != nil {
			return err
		}
		if err := w.CopyToContainer(ctx, id, engine.CopyOptions{DestDir: "/", Archive: bytes.NewReader(archive), CopyUIDGID: owned}); err != nil {
			return err
		}
	}
	return nil
}

// tarOf archives files with paths relative to /. It has no directory
// entries: the engine creates missing parents itself, and an entry for an
// existing directory such as /etc or /run would change its mode and owner.
func tarOf(files []engine.File, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     strings.TrimPrefix(f.Path, "/"),
			Size:     int64(len(f.Content)),
			Mode:     tarMode(f.Mode),
			Uid:      f.UID,
			Gid:      f.GID,
			ModTime:  now,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", f.Path, err)
		}
		if _, err := tw.Write(f.Content); err != nil {
			return nil, fmt.Errorf("archiving %s: %w", f.Path, err)
		}
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("archiving files: %w", err)
	}
	return buf.Bytes(), nil
}

// tarMode is m in the archive's Unix bits, the reverse of unixMode.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		mode |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		mode |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		mode |= 0o1000
	}
	return mode
}
