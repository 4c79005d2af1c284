package cmd

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

// lockRetry is how often a waiting berth tries the lock again.
const lockRetry = 50 * time.Millisecond

// lockProject makes berth commands that change a project take turns, so two
// `up` at once cannot both plan the same container. It is an OS file lock
// (flock, or LockFileEx on Windows) on a file named after the engine and the
// project: the OS drops it when the process dies, so a killed berth never
// leaves it held.
func lockProject(ctx context.Context, deps *Deps, engineHost, project string) (unlock func(), err error) {
	sum := sha256.Sum256([]byte(engineHost + "\x00" + project))
	path := filepath.Join(os.TempDir(), "berth-"+hex.EncodeToString(sum[:8])+".lock")
	lock := flock.New(path)
	ok, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("locking project %s (%s): %w", project, path, err)
	}
	if !ok {
		fmt.Fprintf(deps.Err, "waiting for another berth working on project %s\n", project)
		if ok, err = lock.TryLockContext(ctx, lockRetry); !ok {
			_ = lock.Close()
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, ctxErr
			}
			return nil, fmt.Errorf("locking project %s (%s): %w", project, path, err)
		}
	}
	return func() { _ = lock.Unlock() }, nil
}
