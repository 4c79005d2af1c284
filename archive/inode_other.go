//go:build !unix

package archive

import "io/fs"

// inode identifies a file across its hard links.
type inode struct{ dev, ino uint64 }

// inodeOf finds no links where the platform's stat does not tell them:
// each link is then archived as a file of its own.
func inodeOf(fs.FileInfo) (inode, bool) { return inode{}, false }
