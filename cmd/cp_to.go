package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"

	"github.com/berth-compose/berth/archive"
	"github.com/berth-compose/berth/engine"
)

// toContainers copies the local src, or the tar stream on stdin for "-",
// to dst in each target container.
func (c *copier) toContainers(ctx context.Context, targets []engine.Container, src string, dst cpEnd) error {
	if src == "-" {
		return c.streamTo(ctx, targets, dst)
	}
	source, err := archive.LocalSource(src, c.opts.FollowLink)
	if err != nil {
		return describeLocalSource(src, err)
	}
	return c.each(ctx, targets, func(ctx context.Context, ctr engine.Container) error {
		d, err := c.containerDest(ctx, ctr, dst)
		if err != nil {
			return err
		}
		place, err := archive.Place(source.Src(), d, archive.Container)
		if err != nil {
			return describePlace(err, src, dst.Service+":"+dst.Path)
		}
		if c.dryRun {
			return nil
		}
		// Each container gets an archive of its own, read from disk as it
		// is sent: the placement may differ between them.
		r := archive.Tar(source, place.Name)
		defer r.Close()
		return c.engine.CopyToContainer(ctx, ctr.ID, engine.CopyOptions{DestDir: place.Dir, Archive: r, CopyUIDGID: c.opts.Archive})
	})
}

// streamTo sends the tar stream on stdin, as it is, into the directory
// dst of each target. Several targets need it several times, so it is
// first saved to a temporary file rather than held in memory.
func (c *copier) streamTo(ctx context.Context, targets []engine.Container, dst cpEnd) error {
	open := func() (io.ReadCloser, error) { return io.NopCloser(c.stdin), nil }
	if len(targets) > 1 && !c.dryRun {
		name, err := spool(c.stdin)
		if err != nil {
			return err
		}
		defer os.Remove(name)
		open = func() (io.ReadCloser, error) { return os.Open(name) }
	}
	return c.each(ctx, targets, func(ctx context.Context, ctr engine.Container) error {
		d, err := c.containerDest(ctx, ctr, dst)
		if err != nil {
			return err
		}
		if !d.Exists || !d.IsDir {
			return fmt.Errorf("cannot unpack the tar stream from stdin into %s:%s in container %s: it is not an existing directory; create it first, or name its parent", dst.Service, dst.Path, ctr.Name)
		}
		if c.dryRun {
			return nil
		}
		r, err := open()
		if err != nil {
			return err
		}
		defer r.Close()
		return c.engine.CopyToContainer(ctx, ctr.ID, engine.CopyOptions{DestDir: d.Path, Archive: r, CopyUIDGID: c.opts.Archive})
	})
}

// spool saves r to a temporary file and returns its name.
func spool(r io.Reader) (string, error) {
	f, err := os.CreateTemp("", "berth-cp-*.tar")
	if err != nil {
		return "", fmt.Errorf("saving the tar stream from stdin: %w", err)
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("saving the tar stream from stdin: %w", err)
	}
	return f.Name(), nil
}

// containerDest stats the destination in the container, as docker cp
// does: a symlink at its end is followed, and a destination that does
// not exist needs an existing parent directory.
func (c *copier) containerDest(ctx context.Context, ctr engine.Container, dst cpEnd) (archive.Dst, error) {
	p := containerPath(dst.Path)
	st, err := c.engine.StatContainerPath(ctx, ctr.ID, p)
	if err == nil && st.Mode&fs.ModeSymlink != 0 {
		p = st.LinkTarget
		st, err = c.engine.StatContainerPath(ctx, ctr.ID, p)
	}
	switch {
	case engine.IsNotFound(err):
		parent := path.Dir(path.Clean(p))
		if !c.isContainerDir(ctx, ctr, parent) {
			return archive.Dst{}, fmt.Errorf("cannot copy to %s:%s: the directory %s does not exist in container %s; create it first", dst.Service, dst.Path, parent, ctr.Name)
		}
		return archive.Dst{Path: p}, nil
	case err != nil:
		return archive.Dst{}, err
	case !st.Mode.IsDir() && !st.Mode.IsRegular():
		return archive.Dst{}, fmt.Errorf("cannot copy to %s:%s: in container %s it is neither a directory nor a regular file", dst.Service, dst.Path, ctr.Name)
	case !st.Mode.IsDir() && archive.Container.AssertsDir(p):
		return archive.Dst{}, fmt.Errorf("cannot copy to %s:%s: in container %s it is a file, not a directory", dst.Service, dst.Path, ctr.Name)
	}
	return archive.Dst{Path: p, Exists: true, IsDir: st.Mode.IsDir()}, nil
}

// isContainerDir reports whether p is a directory in the container, or a
// symlink to one.
func (c *copier) isContainerDir(ctx context.Context, ctr engine.Container, p string) bool {
	st, err := c.engine.StatContainerPath(ctx, ctr.ID, p)
	if err == nil && st.Mode&fs.ModeSymlink != 0 {
		st, err = c.engine.StatContainerPath(ctx, ctr.ID, st.LinkTarget)
	}
	return err == nil && st.Mode.IsDir()
}

// containerPath makes p absolute: container paths are relative to the
// container's root, as in docker cp.
func containerPath(p string) string {
	if path.IsAbs(p) {
		return p
	}
	return "/" + p
}

// describeLocalSource explains why a local source cannot be copied.
func describeLocalSource(src string, err error) error {
	return fmt.Errorf("cannot copy %s: %w", src, err)
}

// describePlace explains why src cannot go to dst, by Place's rules.
func describePlace(err error, src, dst string) error {
	switch {
	case errors.Is(err, archive.ErrDirOntoFile):
		return fmt.Errorf("%w: %s is a directory and %s a file; name a directory, or a path that does not exist yet", err, src, dst)
	case errors.Is(err, archive.ErrNoSuchDir):
		return fmt.Errorf("%w: %s says it is a directory, and there is none; create it first, or drop the trailing %q to copy the file %s under that name",
			err, dst, archive.Local.DirMark(dst), src)
	}
	return fmt.Errorf("cannot copy %s to %s: %w", src, dst, err)
}
