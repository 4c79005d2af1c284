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
	"time"
)

// Tar streams a tar archive of src whose top entry is named name, its
// contents below name/ (Place decides name). Entries keep their mode,
// times and numeric owner; symlinks stay symlinks, empty directories are
// kept and a file linked twice is sent once. Sockets cannot be archived
// and are left out. The archive is produced as it is read; closing the
// reader early stops it.
func Tar(src Source, name string) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		pw.CloseWithError(writeTar(pw, src.Path, name))
	}()
	return pr
}

func writeTar(w io.Writer, root, name string) error {
	tw := tar.NewWriter(w)
	seen := map[inode]string{} // entry names of files with more than one link
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading %s: %w", p, err)
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return addEntry(tw, p, path.Join(name, filepath.ToSlash(rel)), d, seen)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

// addEntry writes the entry of one local path.
func addEntry(tw *tar.Writer, p, name string, d fs.DirEntry, seen map[inode]string) error {
	fi, err := d.Info()
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if fi.Mode()&fs.ModeSocket != 0 {
		return nil // tar has no type for it; docker cp leaves them out too
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(p); err != nil {
			return fmt.Errorf("reading symlink %s: %w", p, err)
		}
	}
	hdr, err := tar.FileInfoHeader(noNames{fi}, link)
	if err != nil {
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	hdr.Name = name
	if fi.IsDir() {
		hdr.Name += "/"
	}
	// PAX keeps sub-second times and long names; access and change times
	// are not restored by the engine, so they are not sent.
	hdr.Format, hdr.AccessTime, hdr.ChangeTime = tar.FormatPAX, time.Time{}, time.Time{}
	if id, ok := inodeOf(fi); ok && fi.Mode().IsRegular() {
		if first, dup := seen[id]; dup {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			seen[id] = name
		}
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	return copyContent(tw, p, hdr.Size)
}

// copyContent sends exactly size bytes of the file: a file that shrank
// while it was archived is an error rather than a corrupt archive.
func copyContent(w io.Writer, p string, size int64) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	defer f.Close()
	if _, err := io.CopyN(w, f, size); err != nil {
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("reading %s: it shrank while it was being copied", p)
		}
		return fmt.Errorf("reading %s: %w", p, err)
	}
	return nil
}

// noNames keeps tar.FileInfoHeader from looking up user and group names:
// the engine goes by the numeric ids, and lookups cost a passwd read.
type noNames struct{ fs.FileInfo }

func (noNames) Uname() (string, error) { return "", nil }
func (noNames) Gname() (string, error) { return "", nil }
