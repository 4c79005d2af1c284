package engine

import (
	"context"
	"io"
	"time"
)

// Reader is the read side of the engine: queries that change nothing.
// Observing state (convergence.Observe) needs only this.
type Reader interface {
	// Ping checks that the engine answers.
	Ping(ctx context.Context) error
	// Version describes the engine and the API version berth speaks to it.
	Version(ctx context.Context) (Version, error)
	// ListContainers lists containers, stopped ones included, that match
	// the filter, sorted by name.
	ListContainers(ctx context.Context, f Filter) ([]Container, error)
	// ListNetworks lists networks that match the filter, sorted by name.
	ListNetworks(ctx context.Context, f Filter) ([]Network, error)
	// ListVolumes lists volumes that match the filter, sorted by name.
	ListVolumes(ctx context.Context, f Filter) ([]Volume, error)
	// InspectContainer gives what a list leaves out: health log, exit code.
	InspectContainer(ctx context.Context, id string) (ContainerDetails, error)
	// InspectNetwork and InspectVolume find one resource by name or id;
	// a missing one is an error for which IsNotFound holds.
	InspectNetwork(ctx context.Context, name string) (Network, error)
	InspectVolume(ctx context.Context, name string) (Volume, error)
	// ImageID resolves an image reference to the local image id ("" and a
	// not-found error when the engine lacks it).
	ImageID(ctx context.Context, ref string) (string, error)
	// Events streams engine events matching f from now until ctx ends. The
	// error channel yields at most one error (ctx.Err() when ctx ends),
	// then both channels close.
	Events(ctx context.Context, f Filter) (<-chan Event, <-chan error)
	// WaitContainer blocks until the container is not running (at once if
	// it is not) and returns its exit code.
	WaitContainer(ctx context.Context, id string) (int, error)
	// Logs returns the last tail lines (tail < 0: all) of a container's
	// output, both streams.
	Logs(ctx context.Context, id string, tail int) (string, error)
	// StreamLogs copies a container's output, stdout to stdout and stderr
	// to stderr, as the engine sends it: to its end, or with opts.Follow
	// until the container's current run ends. It returns ctx.Err() when
	// ctx ends first.
	StreamLogs(ctx context.Context, id string, opts LogOptions, stdout, stderr io.Writer) error
	// InspectExec says whether a process started by CreateExec still runs,
	// and its exit code once it ended.
	InspectExec(ctx context.Context, id string) (ExecState, error)
	// StatContainerPath stats a path inside a container (stopped ones
	// too) without following a symlink at its end; a missing path is
	// not found.
	StatContainerPath(ctx context.Context, id, path string) (PathStat, error)
	// CopyFromContainer streams a tar archive of a path inside a
	// container, with its stat; the caller closes the stream.
	CopyFromContainer(ctx context.Context, id, path string) (io.ReadCloser, PathStat, error)
	// InspectImage describes a local image: id, tags, size, platform.
	InspectImage(ctx context.Context, ref string) (Image, error)
	// TopContainer lists a running container's processes: column titles
	// and rows, as the engine's ps gives them with psArgs ("": -ef).
	TopContainer(ctx context.Context, id, psArgs string) (titles []string, processes [][]string, err error)
	// ExportContainer streams a container's filesystem as a tar archive,
	// for the caller to close.
	ExportContainer(ctx context.Context, id string) (io.ReadCloser, error)
	// ContainerStats calls each with the container's resource use: once,
	// or with stream about every second until the engine ends the stream
	// (nil) or ctx ends (ctx.Err()).
	ContainerStats(ctx context.Context, id string, stream bool, each func(StatsSample) error) error
}

// Writer is the side of the engine that changes state. Applying a plan
// (convergence.Apply) needs only this.
type Writer interface {
	CreateContainer(ctx context.Context, spec ContainerSpec) (id string, err error)
	// CopyToContainer unpacks a tar archive into a container's filesystem,
	// a created one included: files reach the container before it starts.
	CopyToContainer(ctx context.Context, id string, opts CopyOptions) error
	StartContainer(ctx context.Context, id string) error
	// StopContainer sends the container's stop signal, then SIGKILL after
	// timeout (nil: the container's own stop timeout).
	StopContainer(ctx context.Context, id string, timeout *time.Duration) error
	KillContainer(ctx context.Context, id, signal string) error
	RemoveContainer(ctx context.Context, id string, opts RemoveOptions) error
	RenameContainer(ctx context.Context, id, name string) error
	PauseContainer(ctx context.Context, id string) error
	UnpauseContainer(ctx context.Context, id string) error
	// ConnectNetwork attaches a created container to one more network:
	// engines before API 1.44 take only one network at create.
	ConnectNetwork(ctx context.Context, network, container string, ep EndpointSpec) error
	// DisconnectNetwork detaches a container from a network, running or
	// not, so the network can be removed and made again.
	DisconnectNetwork(ctx context.Context, network, container string) error
	CreateNetwork(ctx context.Context, spec NetworkSpec) (id string, err error)
	RemoveNetwork(ctx context.Context, id string) error
	CreateVolume(ctx context.Context, spec VolumeSpec) (Volume, error)
	RemoveVolume(ctx context.Context, name string, force bool) error
	// PullImage pulls ref, logged in with auth (zero: anonymously),
	// calling progress (when not nil) with each message of the pull:
	// per-layer status and byte counts.
	PullImage(ctx context.Context, ref string, auth RegistryAuth, progress func(PullProgress)) error
	// PushImage pushes the local image ref to its registry, logged in with
	// auth, calling progress (when not nil) with each message of the push.
	PushImage(ctx context.Context, ref string, auth RegistryAuth, progress func(PushProgress)) error
	// RemoveImage untags ref and deletes the image when no tag is left.
	RemoveImage(ctx context.Context, ref string) error
	// BuildImage builds an image as req says, calling progress (when not
	// nil) as its steps change, and returns the new image's id.
	BuildImage(ctx context.Context, req BuildRequest, progress func(BuildProgress)) (string, error)

	// AttachContainer joins a container's stdin, stdout and stderr, as
	// opts asks; see Stream.
	AttachContainer(ctx context.Context, id string, opts AttachOptions) (Stream, error)
	// ResizeContainer sets the size of a container's TTY.
	ResizeContainer(ctx context.Context, id string, height, width uint) error
	// CreateExec prepares a process in a running container; StartExec
	// runs it detached, AttachExec runs it joined to a Stream.
	CreateExec(ctx context.Context, container string, spec ExecSpec) (string, error)
	StartExec(ctx context.Context, id string) error
	AttachExec(ctx context.Context, id string, tty bool) (Stream, error)
	// ResizeExec sets the size of an exec'd process's TTY.
	ResizeExec(ctx context.Context, id string, height, width uint) error
	// CommitContainer makes an image of a container and returns its id.
	CommitContainer(ctx context.Context, id string, opts CommitOptions) (imageID string, err error)
}

// Engine is everything berth asks of a Docker engine. Callers should ask
// for the narrowest of Reader and Writer they need.
type Engine interface {
	Reader
	Writer
	// APIVersion is the API version negotiated at connect, known without a
	// call: spec building needs it on every up.
	APIVersion() string
	// Close releases the connection.
	Close() error
}

// CopyOptions says what CopyToContainer unpacks and where.
type CopyOptions struct {
	// DestDir is the directory inside the container the archive's paths
	// are relative to; missing parents of its files are created (root,
	// 0755) by the engine.
	DestDir string
	// Archive is a tar stream.
	Archive io.Reader
	// CopyUIDGID is the API's copyUIDGID flag. Without it the engine keeps
	// the archive's uid and gid; with it, a container that has a user gets
	// every file owned by that user instead.
	CopyUIDGID bool
}
