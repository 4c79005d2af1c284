package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// maxLinks bounds how many symlinks LocalDest follows at the end of a
// path, so a loop of them fails instead of spinning.
const maxLinks = 10

// LocalDest inspects the local DEST_PATH p of a copy out of a container,
// as docker cp does: a symlink at its end is followed, its parent
// directory must exist (else the error wraps ErrNoSuchDir), and what is
// there already must be a directory or a regular file.
func LocalDest(p string) (Dst, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return Dst{}, fmt.Errorf("resolving %s: %w", p, err)
	}
	cur, fi, err := followLinks(abs)
	if err != nil {
		// Missing, or under a file: say which directory is lacking.
		parent := filepath.Dir(cur)
		if pfi, perr := os.Stat(parent); perr != nil || !pfi.IsDir() {
			return Dst{}, fmt.Errorf("%w: %s", ErrNoSuchDir, parent)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return Dst{}, err
		}
		if cur == abs {
			cur = keepDirMark(p, cur)
		}
		return Dst{Path: cur}, nil
	}
	if !fi.IsDir() && !fi.Mode().IsRegular() {
		return Dst{}, fmt.Errorf("%s is neither a directory nor a regular file", p)
	}
	if !fi.IsDir() && Local.AssertsDir(p) {
		return Dst{}, fmt.Errorf("%s is not a directory: drop the trailing %q to replace the file", p, Local.DirMark(p))
	}
	return Dst{Path: keepDirMark(p, cur), Exists: true, IsDir: fi.IsDir()}, nil
}

// followLinks resolves the symlinks at the end of p, each relative to
// the directory it sits in, and stats what they lead to.
func followLinks(p string) (string, fs.FileInfo, error) {
	for range maxLinks {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return p, fi, err
		}
		target, err := os.Readlink(p)
		if err != nil {
			return p, nil, err
		}
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(p), target)
		}
		p = target
	}
	return p, nil, fmt.Errorf("%s: too many levels of symlinks", p)
}

// keepDirMark puts back the trailing separator or "/." of the user's p,
// which filepath.Abs drops and Place reads.
func keepDirMark(p, abs string) string {
	switch {
	case Local.endsInDot(p):
		return abs + string(filepath.Separator) + "."
	case Local.AssertsDir(p):
		return abs + string(filepath.Separator)
	}
	return abs
}
