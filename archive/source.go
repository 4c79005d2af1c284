package archive

import (
	"fmt"
	"os"
	"path/filepath"
)

// Source is a local path ready to be archived by Tar.
type Source struct {
	// Path is what is archived: absolute, with the symlinks on the way to
	// it resolved, and itself too when it was followed.
	Path string
	// Name is the name the user gave it (see Src.Name): what Place starts
	// from, even when a followed symlink points to another name.
	Name  string
	IsDir bool
}

// Src is what Place needs of s.
func (s Source) Src() Src { return Src{Name: s.Name, IsDir: s.IsDir} }

// LocalSource resolves the local SRC_PATH p of a copy. A symlink at its
// end is copied as a symlink unless follow is set (or p ends in a
// separator, which means the directory it points to); the symlinks
// before it are always resolved. A missing p is an error for which
// errors.Is(err, fs.ErrNotExist) holds.
func LocalSource(p string, follow bool) (Source, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return Source{}, fmt.Errorf("resolving %s: %w", p, err)
	}
	_, name := Local.Split(p)
	resolved, err := resolve(abs, follow || Local.AssertsDir(p))
	if err != nil {
		return Source{}, err
	}
	fi, err := os.Lstat(resolved)
	if err != nil {
		return Source{}, err
	}
	if Local.AssertsDir(p) && !fi.IsDir() {
		return Source{}, fmt.Errorf("%s is not a directory: drop the trailing %q to copy the file", p, Local.DirMark(p))
	}
	return Source{Path: resolved, Name: name, IsDir: fi.IsDir()}, nil
}

// resolve evaluates the symlinks in abs: all of them with leaf, else only
// those of its parent, so a symlink at the end is kept.
func resolve(abs string, leaf bool) (string, error) {
	if leaf {
		return filepath.EvalSymlinks(abs)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}
