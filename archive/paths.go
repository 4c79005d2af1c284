package archive

import (
	"errors"
	"path"
	"path/filepath"
	"strings"
)

// Flavor is how one side of a copy spells paths: the local filesystem with
// the OS's separator, or a container's with "/".
type Flavor struct {
	clean, dir, base func(string) string
	// seps are the separators a path may end with: Windows takes both.
	seps string
}

var (
	// Local paths are the OS's.
	Local = Flavor{clean: filepath.Clean, dir: filepath.Dir, base: filepath.Base, seps: `/` + string(filepath.Separator)}
	// Container paths always use "/", whatever the local OS.
	Container = Flavor{clean: path.Clean, dir: path.Dir, base: path.Base, seps: `/`}
)

// Split divides p the way docker cp reads it into the directory that holds
// it and the name it is copied under: "a/b" and "a/b/" are b in a, and
// "a/b/." is b's contents, named ".", in a/b.
func (f Flavor) Split(p string) (dir, base string) {
	cleaned := f.clean(p)
	if f.endsInDot(p) {
		return cleaned, "."
	}
	if dir = f.dir(cleaned); dir == cleaned {
		// A root ("/", `C:\`) has no name of its own: copying it copies
		// its contents.
		return cleaned, "."
	}
	return dir, f.base(cleaned)
}

// AssertsDir reports whether p says it is a directory: it ends in a
// separator or in a "." element.
func (f Flavor) AssertsDir(p string) bool {
	return p != "" && strings.ContainsAny(p[len(p)-1:], f.seps) || f.endsInDot(p)
}

// DirMark is the ending by which p asserts a directory ("/." or "/"),
// for messages that tell the user what to drop; p must assert one.
func (f Flavor) DirMark(p string) string {
	if f.endsInDot(p) && p != "." {
		return p[len(p)-2:]
	}
	return p[len(p)-1:]
}

func (f Flavor) endsInDot(p string) bool {
	return p == "." || len(p) >= 2 && p[len(p)-1] == '.' && strings.ContainsAny(p[len(p)-2:len(p)-1], f.seps)
}

// Errors Place returns, for callers to explain in terms of the paths.
var (
	ErrDirOntoFile = errors.New("cannot copy a directory onto a file")
	ErrNoSuchDir   = errors.New("the destination directory does not exist")
)

// Src is what Place needs of the side a copy reads.
type Src struct {
	// Name is the name the source's top entry carries: its base as the
	// user wrote it, "." for DIR/. (the contents of DIR).
	Name  string
	IsDir bool
}

// Dst is what Place needs of the side a copy writes.
type Dst struct {
	// Path is the destination as given, a symlink at its end resolved.
	Path   string
	Exists bool
	IsDir  bool
}

// Placement says where an archive is unpacked and what its top entry must
// be named for the copy to land where docker cp puts it.
type Placement struct {
	Dir  string // an existing directory, if the destination's parent exists
	Name string // the name to give the archive's top entry
}

// Place applies docker cp's rules to one copy, dst spelled in flavor f:
//   - into an existing directory: inside it, under the source's name (a
//     DIR/. source pours its contents in);
//   - onto an existing file: a file replaces it, a directory is refused;
//   - to a path that does not exist: created there, under the path's
//     name; a file is refused when the path says it is a directory.
func Place(src Src, dst Dst, f Flavor) (Placement, error) {
	switch {
	case dst.Exists && dst.IsDir:
		return Placement{Dir: f.clean(dst.Path), Name: src.Name}, nil
	case dst.Exists && src.IsDir:
		return Placement{}, ErrDirOntoFile
	case !dst.Exists && !src.IsDir && f.AssertsDir(dst.Path):
		return Placement{}, ErrNoSuchDir
	}
	dir, base := f.Split(dst.Path)
	return Placement{Dir: dir, Name: base}, nil
}
