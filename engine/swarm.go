package engine

import (
	"context"
	"io"

	"github.com/moby/moby/api/types/swarm"
)

// Swarm is what deploying a project to Docker Swarm asks of an engine that
// is a manager of a swarm. It speaks the API's own swarm types: a service
// spec is the unit the engine stores and versions, and a copy of it here
// would only drift. Networks for a stack are made with Writer.CreateNetwork
// (driver overlay), which a manager creates swarm-wide.
type Swarm interface {
	// SwarmStatus says whether the engine belongs to a swarm and can
	// manage it. It never fails for an engine outside a swarm.
	SwarmStatus(ctx context.Context) (SwarmStatus, error)
	// ListNodes lists the swarm's nodes, sorted by hostname.
	ListNodes(ctx context.Context) ([]swarm.Node, error)

	// ListServices lists services whose labels (the service's own, not its
	// containers') match f, sorted by name.
	ListServices(ctx context.Context, f Filter) ([]swarm.Service, error)
	// InspectService finds a service by id or name; a missing one is not
	// found.
	InspectService(ctx context.Context, id string) (swarm.Service, error)
	// CreateService creates a service from spec as given: berth resolves
	// image digests itself, so the engine is not asked to. auth goes to
	// the nodes so they can pull (zero: none). It returns the new id and
	// the engine's warnings.
	CreateService(ctx context.Context, spec swarm.ServiceSpec, auth RegistryAuth) (id string, warnings []string, err error)
	// UpdateService replaces a service's spec. version is the one the spec
	// was read at: the engine refuses the update when the service changed
	// since (IsConflict does not hold; the message says "out of sequence").
	UpdateService(ctx context.Context, id string, version uint64, spec swarm.ServiceSpec, auth RegistryAuth) (warnings []string, err error)
	// RemoveService removes a service; its tasks are shut down by the
	// swarm afterwards, not before this returns.
	RemoveService(ctx context.Context, id string) error

	// ListTasks lists the tasks of one service (by id), every one the
	// swarm still keeps, old and shut down ones included, newest first.
	ListTasks(ctx context.Context, serviceID string) ([]swarm.Task, error)
	// TaskLogs returns the last tail lines (tail < 0: all) of a task's
	// output, both streams.
	TaskLogs(ctx context.Context, taskID string, tail int) (string, error)
	// StreamServiceLogs copies the output of every task of a service, as
	// StreamLogs does for a container; with opts.Follow until ctx ends.
	StreamServiceLogs(ctx context.Context, serviceID string, opts LogOptions, stdout, stderr io.Writer) error

	// ListConfigs and ListSecrets list the objects whose labels match f,
	// sorted by name. Secrets never carry their data.
	ListConfigs(ctx context.Context, f Filter) ([]swarm.Config, error)
	ListSecrets(ctx context.Context, f Filter) ([]swarm.Secret, error)
	// CreateConfig and CreateSecret store a new object and return its id;
	// a name in use is a conflict (IsConflict holds).
	CreateConfig(ctx context.Context, spec swarm.ConfigSpec) (string, error)
	CreateSecret(ctx context.Context, spec swarm.SecretSpec) (string, error)
	// RemoveConfig and RemoveSecret remove an object by id; one a service
	// still uses is refused (IsObjectInUse holds).
	RemoveConfig(ctx context.Context, id string) error
	RemoveSecret(ctx context.Context, id string) error

	// ImageDigest asks ref's registry, logged in with auth, for the digest
	// ref names right now (of the manifest list where there is one), so
	// every node runs the very same image. A registry that cannot be
	// reached or does not know ref is an error.
	ImageDigest(ctx context.Context, ref string, auth RegistryAuth) (string, error)
}

// SwarmStatus is the engine's place in a swarm.
type SwarmStatus struct {
	// NodeID is the engine's node in the swarm; "" outside one.
	NodeID string
	// LocalState is the API's: "inactive", "pending", "active", "error"
	// or "locked".
	LocalState string
	// ControlAvailable holds on a manager: only a manager takes services.
	ControlAvailable bool
	// Error is the engine's own account of a swarm in state "error".
	Error string
}
