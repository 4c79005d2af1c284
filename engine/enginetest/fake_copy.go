package enginetest

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/berth-compose/berth/engine"
)

// CopyToContainer unpacks the archive's regular files into the container's
// record, as the engine does: under DestDir, keeping the archive's mode,
// uid and gid, except that with CopyUIDGID a container created with a
// numeric user gets its files owned by that user. Directory entries are
// recorded beside the files for StatContainerPath and CopyFromContainer
// (see node); Files reports the files.
func (f *Fake) CopyToContainer(ctx context.Context, id string, opts engine.CopyOptions) error {
	if err := f.begin(ctx, "CopyToContainer", id); err != nil {
		return err
	}
	// Read the archive before taking the lock: the reader may be slow.
	files, nodes, err := readArchive(opts.Archive, opts.DestDir)
	if err != nil {
		return fmt.Errorf("copying files into container %s: %w", id, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("copying files into", id)
	if err != nil {
		return err
	}
	if c.files == nil {
		c.files = map[string]engine.File{}
	}
	for _, file := range files {
		if opts.CopyUIDGID && c.user != "" {
			file.UID, file.GID = numericUser(c.user, file.UID, file.GID)
		}
		c.files[file.Path] = file
		delete(c.nodes, file.Path)
	}
	if c.nodes == nil {
		c.nodes = map[string]node{}
	}
	for p, n := range nodes {
		c.nodes[p] = n
		delete(c.files, p)
	}
	return nil
}

// Files returns the files CopyToContainer wrote into the named container,
// sorted by path, for tests to check: it is not recorded and never fails.
// OwnerSet is always false: the fake reports ownership as the engine
// resolved it.
func (f *Fake) Files(container string) []engine.File {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("", container)
	if err != nil {
		return nil
	}
	out := make([]engine.File, 0, len(c.files))
	for _, file := range c.files {
		out = append(out, file)
	}
	slices.SortFunc(out, func(a, b engine.File) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// readArchive reads the regular files of an archive unpacked in dest (a
// hard link as a copy of the file it links to), and its directories and
// symlinks.
func readArchive(r io.Reader, dest string) ([]engine.File, map[string]node, error) {
	if r == nil {
		return nil, nil, errors.New("no archive")
	}
	var files []engine.File
	nodes := map[string]node{}
	byName := map[string][]byte{}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nodes, nil
		}
		if err != nil {
			return nil, nil, fmt.Errorf("reading the archive: %w", err)
		}
		if p, n, ok := nodeOf(hdr, dest); ok {
			nodes[p] = n
			continue
		}
		var content []byte
		switch hdr.Typeflag {
		case tar.TypeReg:
			if content, err = io.ReadAll(tr); err != nil {
				return nil, nil, fmt.Errorf("reading %s from the archive: %w", hdr.Name, err)
			}
			byName[path.Clean(hdr.Name)] = content
		case tar.TypeLink:
			content = byName[path.Clean(hdr.Linkname)]
		default:
			continue
		}
		files = append(files, engine.File{
			Path:    path.Join("/", dest, hdr.Name),
			Content: content,
			Mode:    hdr.FileInfo().Mode(),
			UID:     hdr.Uid,
			GID:     hdr.Gid,
		})
	}
}

// numericUser reads "uid[:gid]"; a name the fake cannot resolve leaves the
// archive's ids.
func numericUser(user string, uid, gid int) (int, int) {
	u, g, hasGroup := strings.Cut(user, ":")
	n, err := strconv.Atoi(u)
	if err != nil {
		return uid, gid
	}
	uid = n
	if m, err := strconv.Atoi(g); hasGroup && err == nil {
		gid = m
	}
	return uid, gid
}
