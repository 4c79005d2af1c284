//go:build unix

package archive

import (
	"io/fs"
	"syscall"
)

// inode identifies a file across its hard links.
type inode struct{ dev, ino uint64 }

// inodeOf gives fi's inode when the file has more than one link: only
// those can show up twice in one walk.
func inodeOf(fi fs.FileInfo) (inode, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || st.Nlink < 2 {
		return inode{}, false
	}
	return inode{dev: uint64(st.Dev), ino: uint64(st.Ino)}, true //nolint:unconvert // the types differ by platform
}
