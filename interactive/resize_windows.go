package interactive

import (
	"time"
)

// sizeChanges ticks four times a second: Windows consoles send no signal
// when they are resized, so the size is read again on each tick.
func sizeChanges() (<-chan time.Time, func()) {
	t := time.NewTicker(250 * time.Millisecond)
	return t.C, t.Stop
}
