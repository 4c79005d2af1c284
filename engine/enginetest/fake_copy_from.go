package enginetest

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/berth-compose/berth/engine"
)

// node is a directory or symlink CopyToContainer unpacked; regular files
// are in containerRecord.files. The directories above anything recorded
// exist too, as if the image had them.
type node struct {
	dir    bool
	target string // of a symlink, as archived
	mode   fs.FileMode
	mtime  time.Time
}

// nodeOf reads a directory or symlink entry of an archive unpacked in
// dest; other entries are no node.
func nodeOf(hdr *tar.Header, dest string) (string, node, bool) {
	p := path.Join("/", dest, hdr.Name)
	switch hdr.Typeflag {
	case tar.TypeDir:
		return p, node{dir: true, mode: hdr.FileInfo().Mode(), mtime: hdr.ModTime}, true
	case tar.TypeSymlink:
		return p, node{target: hdr.Linkname, mode: fs.ModeSymlink | 0o777, mtime: hdr.ModTime}, true
	}
	return "", node{}, false
}

// maxHops bounds symlink resolution, as the kernel's ELOOP does.
const maxHops = 40

// StatContainerPath stats what CopyToContainer put in the container (and
// the directories above it), as the engine does: a symlink at the end is
// not followed, and its LinkTarget is where it leads, fully resolved.
func (f *Fake) StatContainerPath(ctx context.Context, id, p string) (engine.PathStat, error) {
	if err := f.begin(ctx, "StatContainerPath", id); err != nil {
		return engine.PathStat{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("looking up a path in", id)
	if err != nil {
		return engine.PathStat{}, err
	}
	resolved, err := c.resolve(p, false)
	if err != nil {
		return engine.PathStat{}, err
	}
	return c.stat(p, resolved)
}

// CopyFromContainer archives a path CopyToContainer made, as the engine
// does: the top entry is named after the path's last element ("." for
// DIR/.), and a symlink at the end is followed only when the path ends
// in "/" or "/.".
func (f *Fake) CopyFromContainer(ctx context.Context, id, p string) (io.ReadCloser, engine.PathStat, error) {
	if err := f.begin(ctx, "CopyFromContainer", id); err != nil {
		return nil, engine.PathStat{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("copying from", id)
	if err != nil {
		return nil, engine.PathStat{}, err
	}
	asDir := strings.HasSuffix(p, "/") || strings.HasSuffix(p, "/.")
	resolved, err := c.resolve(p, asDir)
	if err != nil {
		return nil, engine.PathStat{}, err
	}
	if asDir && !c.isDir(resolved) {
		return nil, engine.PathStat{}, notInContainer(p, c.Name)
	}
	st, err := c.stat(p, resolved)
	if err != nil {
		return nil, engine.PathStat{}, err
	}
	top := path.Base(path.Clean(p))
	if strings.HasSuffix(p, "/.") {
		top = "."
	}
	var buf bytes.Buffer
	if err := c.archive(tar.NewWriter(&buf), resolved, top); err != nil {
		return nil, engine.PathStat{}, err
	}
	return io.NopCloser(&buf), st, nil
}

// resolve follows the symlinks on the way to p, and the one at its end
// with leaf, inside the container's root; a part that is missing is not
// found, as the engine reports it.
func (c *containerRecord) resolve(p string, leaf bool) (string, error) {
	parts := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	cur := "/"
	for hops := 0; len(parts) > 0; {
		part := parts[0]
		parts = parts[1:]
		if part == "" {
			continue
		}
		next := path.Join(cur, part)
		n, isNode := c.nodes[next]
		if isNode && n.target != "" && (len(parts) > 0 || leaf) {
			if hops++; hops > maxHops {
				return "", notInContainer(p, c.Name)
			}
			target := n.target
			if !path.IsAbs(target) {
				target = path.Join(cur, target)
			}
			cur = "/"
			parts = append(strings.Split(strings.Trim(path.Clean(target), "/"), "/"), parts...)
			continue
		}
		if !c.exists(next) || (len(parts) > 0 && !c.isDir(next)) {
			return "", notInContainer(p, c.Name)
		}
		cur = next
	}
	return cur, nil
}

func notInContainer(p, name string) error {
	return engine.ErrNotFound.WithMessage(fmt.Sprintf("Could not find the file %s in container %s", p, name))
}

func (c *containerRecord) exists(p string) bool {
	if _, ok := c.files[p]; ok {
		return true
	}
	if _, ok := c.nodes[p]; ok {
		return true
	}
	return c.isDir(p)
}

// isDir: a recorded directory, or one above something recorded.
func (c *containerRecord) isDir(p string) bool {
	if n, ok := c.nodes[p]; ok {
		return n.dir
	}
	if _, ok := c.files[p]; ok {
		return false
	}
	if p == "/" {
		return true
	}
	prefix := p + "/"
	for q := range c.files {
		if strings.HasPrefix(q, prefix) {
			return true
		}
	}
	for q := range c.nodes {
		if strings.HasPrefix(q, prefix) {
			return true
		}
	}
	return false
}

// stat describes resolved, named as the caller's p.
func (c *containerRecord) stat(p, resolved string) (engine.PathStat, error) {
	st := engine.PathStat{Name: path.Base(path.Clean(p))}
	if file, ok := c.files[resolved]; ok {
		st.Size, st.Mode = int64(len(file.Content)), file.Mode
		return st, nil
	}
	if n, ok := c.nodes[resolved]; ok && n.target != "" {
		st.Mode, st.Mtime = n.mode, n.mtime
		target, err := c.resolve(resolved, true)
		if err == nil {
			st.LinkTarget = target
		}
		return st, nil
	}
	st.Mode = fs.ModeDir | 0o755
	if n, ok := c.nodes[resolved]; ok {
		st.Mode, st.Mtime = n.mode, n.mtime
	}
	return st, nil
}

// archive writes resolved and everything below it under the name top.
func (c *containerRecord) archive(tw *tar.Writer, resolved, top string) error {
	for _, p := range c.below(resolved) {
		name := path.Join(top, strings.TrimPrefix(strings.TrimPrefix(p, resolved), "/"))
		if err := c.writeEntry(tw, p, name); err != nil {
			return err
		}
	}
	return tw.Close()
}

// below lists p and every recorded or implied path under it, sorted, so
// a directory comes before what it holds.
func (c *containerRecord) below(p string) []string {
	seen := map[string]bool{p: true}
	add := func(q string) {
		if q != p && !strings.HasPrefix(q, strings.TrimSuffix(p, "/")+"/") {
			return
		}
		for ; q != p && !seen[q]; q = path.Dir(q) {
			seen[q] = true
		}
	}
	if c.isDir(p) {
		for q := range c.files {
			add(q)
		}
		for q := range c.nodes {
			add(q)
		}
	}
	out := make([]string, 0, len(seen))
	for q := range seen {
		out = append(out, q)
	}
	slices.Sort(out)
	return out
}

func (c *containerRecord) writeEntry(tw *tar.Writer, p, name string) error {
	hdr := &tar.Header{Name: name, ModTime: time.Unix(0, 0)}
	file, isFile := c.files[p]
	n, isNode := c.nodes[p]
	switch {
	case isFile:
		hdr.Typeflag, hdr.Size, hdr.Mode = tar.TypeReg, int64(len(file.Content)), tarMode(file.Mode)
		hdr.Uid, hdr.Gid = file.UID, file.GID
	case isNode && n.target != "":
		hdr.Typeflag, hdr.Linkname, hdr.Mode, hdr.ModTime = tar.TypeSymlink, n.target, 0o777, n.mtime
	default:
		hdr.Typeflag, hdr.Name, hdr.Mode = tar.TypeDir, name+"/", 0o755
		if isNode {
			hdr.Mode, hdr.ModTime = tarMode(n.mode), n.mtime
		}
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if isFile {
		_, err := tw.Write(file.Content)
		return err
	}
	return nil
}

// tarMode gives m's permission and special bits as tar stores them.
func tarMode(m fs.FileMode) int64 {
	mode := int64(m.Perm())
	for bit, v := range map[fs.FileMode]int64{fs.ModeSetuid: 0o4000, fs.ModeSetgid: 0o2000, fs.ModeSticky: 0o1000} {
		if m&bit != 0 {
			mode |= v
		}
	}
	return mode
}
