package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/berth-compose/berth/archive"
	"github.com/berth-compose/berth/engine"
)

// fromContainer copies src out of the container to the local dst, or as
// a tar stream to stdout for "-".
func (c *copier) fromContainer(ctx context.Context, ctr engine.Container, src cpEnd, dst string) error {
	var d archive.Dst
	if dst != "-" {
		var err error
		if d, err = archive.LocalDest(dst); err != nil {
			return describeLocalDest(dst, err)
		}
	}
	return c.each(ctx, []engine.Container{ctr}, func(ctx context.Context, ctr engine.Container) error {
		return c.copyOut(ctx, ctr, src, dst, d)
	})
}

func (c *copier) copyOut(ctx context.Context, ctr engine.Container, src cpEnd, dst string, d archive.Dst) error {
	p := containerPath(src.Path)
	_, name := archive.Container.Split(p) // what the copy is named after, even through -L
	if c.opts.FollowLink {
		if st, err := c.engine.StatContainerPath(ctx, ctr.ID, p); err == nil && st.Mode&fs.ModeSymlink != 0 {
			p = st.LinkTarget
		}
	}
	if c.dryRun {
		_, err := c.engine.StatContainerPath(ctx, ctr.ID, p)
		return describeMissing(err, ctr, src)
	}
	rc, st, err := c.engine.CopyFromContainer(ctx, ctr.ID, p)
	if err != nil {
		return describeMissing(err, ctr, src)
	}
	defer rc.Close()
	if dst == "-" {
		if _, err := io.Copy(c.stdout, rc); err != nil {
			return fmt.Errorf("writing the tar stream to stdout: %w", err)
		}
		return nil
	}
	place, err := archive.Place(archive.Src{Name: name, IsDir: st.Mode.IsDir()}, d, archive.Local)
	if err != nil {
		return describePlace(err, src.Service+":"+src.Path, dst)
	}
	err = archive.Extract(rc, place.Dir, archive.ExtractOptions{
		From: engineTop(p), To: place.Name,
		Skipped: func(entry string) {
			fmt.Fprintf(c.warn, "warning: %s left out: berth cp makes no device or fifo files\n", entry)
		},
	})
	if err != nil {
		return fmt.Errorf("copying %s:%s to %s: %w", src.Service, src.Path, dst, err)
	}
	return nil
}

// describeMissing says which source is missing in which container, for
// the engine's not found; other errors pass as they are.
func describeMissing(err error, ctr engine.Container, src cpEnd) error {
	if engine.IsNotFound(err) {
		return fmt.Errorf("cannot copy %s:%s: no such file or directory in container %s", src.Service, src.Path, ctr.Name)
	}
	return err
}

// engineTop is the name the engine gives the top entry of its archive of
// p: p's last element, "." for DIR/., and "/" for the root, whose
// entries it names absolutely.
func engineTop(p string) string {
	if path.Clean(p) == "/" && !strings.HasSuffix(p, ".") {
		return "/"
	}
	_, base := archive.Container.Split(p)
	return base
}

// describeLocalDest explains why a local destination cannot be written.
func describeLocalDest(dst string, err error) error {
	if errors.Is(err, archive.ErrNoSuchDir) {
		return fmt.Errorf("cannot copy to %s: %w; create it first", dst, err)
	}
	return fmt.Errorf("cannot copy to %s: %w", dst, err)
}
