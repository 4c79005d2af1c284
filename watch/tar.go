package watch

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// copyEntry is one local path and where it lands in the container.
type copyEntry struct {
	Local, Container string
	rule             Rule // for the directories below Local
}

// writeBatchTar writes one archive of every entry, named by container
// path from the root, so one stream unpacked at / serves every rule's
// target. A directory brings along what is below it that its rule covers;
// a path gone since its event is skipped (its delete is handled apart).
func writeBatchTar(w io.Writer, entries []copyEntry) error {
	tw := tar.NewWriter(w)
	seen := map[string]bool{}
	for _, e := range entries {
		err := filepath.WalkDir(e.Local, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading %s: %w", p, err)
			}
			if p != e.Local && !e.rule.Covers(p) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			name := strings.TrimPrefix(e.rule.ContainerPath(p), "/")
			if name == "" || seen[name] {
				return nil // the root itself exists already; a path met twice is sent once
			}
			seen[name] = true
			return addTarEntry(tw, p, name, d)
		})
		if err != nil {
			return err
		}
	}
	return tw.Close()
}

// addTarEntry writes the header and content of the local path p.
func addTarEntry(tw *tar.Writer, p, name string, d fs.DirEntry) error {
	fi, err := d.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() && fi.Mode()&fs.ModeSymlink == 0 {
		return nil // sockets, pipes, devices: nothing to sync
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = os.Readlink(p); err != nil {
			return fmt.Errorf("reading symlink %s: %w", p, err)
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	hdr.Name, hdr.Uname, hdr.Gname = name, "", ""
	if fi.IsDir() {
		hdr.Name += "/"
	}
	hdr.Format, hdr.AccessTime, hdr.ChangeTime = tar.FormatPAX, time.Time{}, time.Time{}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("archiving %s: %w", p, err)
	}
	if hdr.Typeflag != tar.TypeReg {
		return nil
	}
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("reading %s: %w", p, err)
	}
	defer f.Close()
	// Exactly the size the header gives: a file growing meanwhile is cut,
	// and its next write brings the rest in the next batch.
	if _, err := io.CopyN(tw, f, hdr.Size); err != nil {
		return fmt.Errorf("reading %s (changed while being copied?): %w", p, err)
	}
	return nil
}
