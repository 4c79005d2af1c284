package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// lockProject makes berth commands that change a project take turns, so two
// `up` at once cannot both plan the same container. It is an flock on a
// file named after the engine and the project: the kernel drops it when
// the process dies, so a killed berth never leaves it held.
func lockProject(ctx context.Context, deps *Deps, engineHost, project string) (unlock func(), err error) {
	sum := sha256.Sum256([]byte(engineHost + "\x00" + project))
	path := filepath.Join(os.TempDir(), "berth-"+hex.EncodeToString(sum[:8])+".lock")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking project %s: %w", project, err)
	}
	told := false
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { f.Close() }, nil
		}
		if err != syscall.EWOULDBLOCK {
			f.Close()
			return nil, fmt.Errorf("locking project %s (%s): %w", project, path, err)
		}
		if !told {
			fmt.Fprintf(deps.Err, "waiting for another berth working on project %s\n", project)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
