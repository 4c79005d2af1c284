package engine

import (
	"errors"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
)

// ErrNotFound and ErrConflict are the classes IsNotFound and IsConflict
// test for. Engines other than Client (enginetest.Fake, decorators) wrap
// them so their errors classify like the real engine's.
var (
	ErrNotFound = cerrdefs.ErrNotFound
	ErrConflict = cerrdefs.ErrConflict
	// ErrForbidden is the engine's 403, as for a network still in use.
	ErrForbidden = cerrdefs.ErrPermissionDenied
)

// IsNotFound reports whether err means the container, network, volume or
// image does not exist (the engine's 404).
func IsNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// IsConflict reports whether err means the request clashes with the
// resource's state (the engine's 409): a name already in use, removing a
// running container or a network or volume in use, killing a stopped
// container.
func IsConflict(err error) bool { return cerrdefs.IsConflict(err) }

// IsInUse reports whether err refuses to remove a network because
// containers are still attached to it (the engine's 403 "has active
// endpoints"): containers of other projects or of services left running.
func IsInUse(err error) bool {
	return cerrdefs.IsPermissionDenied(err) && strings.Contains(err.Error(), "active endpoints")
}

// classified gives an engine error the class the engine should have sent
// with it, keeping its message and what it wraps.
type classified struct {
	err  error
	kind error
}

func (e classified) Error() string        { return e.err.Error() }
func (e classified) Unwrap() error        { return e.err }
func (e classified) Is(target error) bool { return errors.Is(e.kind, target) }
