package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrUnsafe marks an archive entry that would land outside the directory
// it is unpacked in: an absolute name, a ".." that climbs out, a path
// through a symlink, a symlink whose relative target climbs out.
var ErrUnsafe = errors.New("it would land outside the destination")

// ExtractOptions tune Extract.
type ExtractOptions struct {
	// From and To rename the archive's top entry, and all below it: the
	// engine names it after the source, the copy may give it the
	// destination's name (see Place). Empty From keeps every name. From
	// "/" is the engine's archive of a container's root, whose names are
	// absolute: they are taken as relative to the root, and only then.
	From, To string
	// Skipped hears of the entries Extract leaves out: devices, fifos and
	// other special files, which need privileges to make.
	Skipped func(name string)
}

// Extract unpacks the tar stream r below dir, which must exist. Modes and
// times are restored; files are owned by whoever runs berth, as docker cp
// makes them. An existing file is replaced, but a directory is never
// replaced by a file nor a file by a directory. Nothing is written outside
// dir: entries that try are refused with ErrUnsafe, and symlinks met on
// the way are followed only where they stay inside.
func Extract(r io.Reader, dir string, opts ExtractOptions) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	x := &extractor{root: root, opts: opts}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("reading the archive: %w", err)
		}
		if err := x.entry(hdr, tr); err != nil {
			return fmt.Errorf("unpacking %s: %w", hdr.Name, err)
		}
	}
	return x.finishDirs()
}

// extractor is one Extract in progress.
type extractor struct {
	root *os.Root
	opts ExtractOptions
	// dirs get their mode and times once everything is in them: a
	// read-only directory would refuse its own contents, and each file
	// written moves its directory's mtime.
	dirs []*tar.Header
}

func (x *extractor) entry(hdr *tar.Header, r io.Reader) error {
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader:
		return nil // archive-wide metadata: no file of its own
	case tar.TypeDir, tar.TypeReg, tar.TypeSymlink, tar.TypeLink:
	default:
		if x.opts.Skipped != nil {
			x.opts.Skipped(hdr.Name)
		}
		return nil
	}
	name, err := x.localName(hdr.Name)
	if err != nil {
		return err
	}
	if err := x.makeRoom(name, hdr.Typeflag == tar.TypeDir); err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.dir(name, hdr)
	case tar.TypeReg:
		return x.file(name, hdr, r)
	case tar.TypeSymlink:
		return x.symlink(name, hdr)
	}
	target, err := x.localName(hdr.Linkname)
	if err != nil {
		return fmt.Errorf("hard link to %s: %w", hdr.Linkname, err)
	}
	return x.root.Link(target, name)
}

// localName turns an entry's name into a path below the root, renamed as
// opts say, or refuses it.
func (x *extractor) localName(raw string) (string, error) {
	from := x.opts.From
	if from == "/" {
		raw, from = "./"+strings.TrimPrefix(raw, "/"), "."
	}
	if path.IsAbs(raw) || strings.HasPrefix(raw, `\`) {
		return "", fmt.Errorf("absolute name: %w", ErrUnsafe)
	}
	n := rename(path.Clean(raw), from, x.opts.To)
	local := filepath.FromSlash(n)
	if !filepath.IsLocal(local) {
		return "", fmt.Errorf("name climbs out: %w", ErrUnsafe)
	}
	return local, nil
}

// rename gives n, a cleaned entry name, the name to in place of from.
func rename(n, from, to string) string {
	switch {
	case from == "" || from == to:
		return n
	case from == ".":
		return path.Join(to, n)
	case n == from:
		return path.Clean(to)
	case strings.HasPrefix(n, from+"/"):
		return path.Join(to, n[len(from):])
	}
	return n
}

// makeRoom clears the way for an entry: what is there goes, unless a
// directory would replace a file or the other way round, which docker cp
// refuses too. A directory already there is kept, and filled.
func (x *extractor) makeRoom(name string, isDir bool) error {
	if parent := filepath.Dir(name); parent != "." {
		if err := x.root.MkdirAll(parent, 0o755); err != nil {
			return unsafeIfEscape(err)
		}
	}
	fi, err := x.root.Lstat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return unsafeIfEscape(err)
	case fi.IsDir() && !isDir:
		return fmt.Errorf("a directory is in the way of this file: remove it first")
	case !fi.IsDir() && isDir:
		return fmt.Errorf("a file is in the way of this directory: remove it first")
	case fi.IsDir():
		return nil
	}
	return x.root.Remove(name)
}

// unsafeIfEscape classifies os.Root's refusal to leave the root (a
// symlink on the way pointing out of it) as ErrUnsafe.
func unsafeIfEscape(err error) error {
	if strings.Contains(err.Error(), "path escapes from parent") {
		return fmt.Errorf("%w: %w", ErrUnsafe, err)
	}
	return err
}

func (x *extractor) dir(name string, hdr *tar.Header) error {
	if err := x.root.Mkdir(name, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return unsafeIfEscape(err)
	}
	h := *hdr
	h.Name = name
	x.dirs = append(x.dirs, &h)
	return nil
}

func (x *extractor) file(name string, hdr *tar.Header, r io.Reader) error {
	f, err := x.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return unsafeIfEscape(err)
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return x.restore(name, hdr)
}

// symlink makes the link as it was. A relative target that climbs out of
// the root is refused, as docker cp refuses it; an absolute one is kept:
// it names a path of the container, and no later entry is written
// through it.
func (x *extractor) symlink(name string, hdr *tar.Header) error {
	target := hdr.Linkname
	if !path.IsAbs(target) {
		joined := path.Join(path.Dir(filepath.ToSlash(name)), target)
		if !filepath.IsLocal(filepath.FromSlash(joined)) {
			return fmt.Errorf("symlink to %s: %w", target, ErrUnsafe)
		}
		target = filepath.FromSlash(target)
	}
	return x.root.Symlink(target, name)
}

// restore gives a file or directory the archive's mode and times.
func (x *extractor) restore(name string, hdr *tar.Header) error {
	if err := x.root.Chmod(name, hdr.FileInfo().Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	return x.root.Chtimes(name, atime, hdr.ModTime)
}

// finishDirs restores directories deepest first, so setting one never
// moves the mtime of one done before.
func (x *extractor) finishDirs() error {
	for i := len(x.dirs) - 1; i >= 0; i-- {
		if err := x.restore(x.dirs[i].Name, x.dirs[i]); err != nil {
			return fmt.Errorf("unpacking %s: %w", x.dirs[i].Name, err)
		}
	}
	return nil
}
