//go:build !windows

package interactive

import (
	"os"
	"os/signal"
	"syscall"
)

// sizeChanges signals each change of the terminal's size: SIGWINCH.
func sizeChanges() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	return ch, func() { signal.Stop(ch) }
}
