package enginetest

import (
	"fmt"

	"github.com/berth-compose/berth/engine"
)

// The methods here play the part of the processes inside containers: tests
// call them to move a container along as its healthcheck or command would.
// They are not recorded as calls and ignore Fail and OnCall.

// SetHealth sets a container's health ("starting", "healthy",
// "unhealthy") and emits the engine's "health_status: <status>" event.
func (f *Fake) SetHealth(container, status string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("setting the health of", container)
	if err != nil {
		return err
	}
	c.health = status
	c.Status = c.status()
	f.emit("container", "health_status: "+status, c.ID, c.attributes())
	return nil
}

// Exit ends a running container's command with code, as if it finished by
// itself, and emits "die".
func (f *Fake) Exit(container string, code int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.runningContainer(container)
	if err != nil {
		return err
	}
	f.exit(c, code)
	return nil
}

// runningContainer finds a container that Exit or Restarting can end: it
// must run. The caller holds f.mu.
func (f *Fake) runningContainer(container string) (*containerRecord, error) {
	c, err := f.container("exiting", container)
	if err != nil {
		return nil, err
	}
	if !c.running() {
		return nil, fmt.Errorf("exiting container %s: %w", container, engine.ErrConflict.WithMessage("container is not running"))
	}
	return c, nil
}
