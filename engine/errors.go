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
// A swarm manager also refuses an overlay network that a service's spec
// still names (a 400 "is in use by service"), or that tasks of a service
// just removed still hold while the swarm shuts them down (a 400 "is in
// use by task"): in use too.
func IsInUse(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return cerrdefs.IsPermissionDenied(err) && strings.Contains(msg, "active endpoints") ||
		cerrdefs.IsInvalidArgument(err) && (strings.Contains(msg, "is in use by service") || strings.Contains(msg, "is in use by task"))
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

// The classes of a swarm manager's answers, for engines other than Client
// to wrap as they do ErrNotFound.
var (
	// ErrInvalidArgument is the engine's 400, which a manager also sends
	// when it refuses to remove an object a service uses.
	ErrInvalidArgument = cerrdefs.ErrInvalidArgument
	// ErrInternal is the engine's 500, which a manager also sends for an
	// update out of sequence and for a service on a missing network.
	ErrInternal = cerrdefs.ErrInternal
	// ErrNotImplemented is the engine's 501, for a service update that
	// renames the service or changes its mode.
	ErrNotImplemented = cerrdefs.ErrNotImplemented
	// ErrUnavailable is the engine's 503, as for a swarm call to an
	// engine that is no manager of a swarm.
	ErrUnavailable = cerrdefs.ErrUnavailable
)

// IsObjectInUse reports whether err refuses to remove a config or secret
// (or an overlay network) because a service's spec still refers to it.
// The manager answers 400 with "is in use by", not a conflict: the
// service has to drop the reference first.
func IsObjectInUse(err error) bool {
	return cerrdefs.IsInvalidArgument(err) && strings.Contains(err.Error(), "is in use by")
}

// IsOutOfSequence reports whether err refuses a service update because the
// service changed since the version the update names: read the service
// again and plan anew. The manager sends it as a plain 500, so only its
// message tells it apart.
func IsOutOfSequence(err error) bool {
	return err != nil && strings.Contains(err.Error(), "update out of sequence")
}
