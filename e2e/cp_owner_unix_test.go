//go:build unix

package e2e

import (
	"os"
	"syscall"
	"testing"
)

// fileOwner is p's numeric owner.
func fileOwner(t *testing.T, p string) (int, int) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}
