package engine

import (
	"io/fs"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

// ContainerSpec is everything a container is created from. It carries the
// engine API's own definition types (moby/moby/api, plain data, no client):
// they have a field for every container attribute, and a neutral copy of
// them all would only be a second place to forget one. Only this package
// sends them to an engine.
type ContainerSpec struct {
	Name       string
	Config     *container.Config
	Host       *container.HostConfig
	Networking *network.NetworkingConfig
	// Platform, when set, is os[/arch[/variant]] for the image to run.
	Platform string
	// Files are written into the container after it is created and before
	// it starts: configs and secrets given by content or environment,
	// which have no host file to bind-mount. The engine's create ignores
	// them; CopyToContainer carries them.
	Files []File
}

// File is one file to put into a container.
type File struct {
	Path    string // absolute, inside the container
	Content []byte
	Mode    fs.FileMode
	UID     int
	GID     int
	// OwnerSet: uid or gid was declared. docker compose then sends the
	// API's copyUIDGID flag, and berth does the same (see CopyOptions).
	OwnerSet bool
}

// EndpointSpec configures a container's attachment to one network.
type EndpointSpec = network.EndpointSettings

// NetworkSpec is what a network is created from.
type NetworkSpec struct {
	Name       string
	Driver     string
	Options    map[string]string
	Labels     map[string]string
	Internal   bool
	Attachable bool
	EnableIPv6 *bool
	IPAM       *network.IPAM
}

// VolumeSpec is what a volume is created from.
type VolumeSpec struct {
	Name       string
	Driver     string
	DriverOpts map[string]string
	Labels     map[string]string
}

// RemoveOptions says how to remove a container.
type RemoveOptions struct {
	Force   bool // kill it first if it runs
	Volumes bool // also remove its anonymous volumes
}

// ContainerDetails is the part of an inspect that berth reads.
type ContainerDetails struct {
	Container
	ExitCode  int
	Health    string // "", "starting", "healthy", "unhealthy"
	HealthLog []HealthResult
	StartedAt time.Time
	// FinishedAt is when the last run ended (zero if it never did). The
	// engine sets it after the run's output is all logged, so following
	// the next run from here replays none of this one.
	FinishedAt time.Time
	// TTY and OpenStdin are the container's Tty and OpenStdin settings:
	// how its output is framed and whether it reads a stdin one attaches.
	TTY, OpenStdin bool
	// StdinOnce: the engine closes the container's stdin when the first
	// attached client's input ends, and keeps its output flowing.
	StdinOnce bool
}

// HealthResult is one run of a container's healthcheck.
type HealthResult struct {
	ExitCode int
	Output   string
	End      time.Time
}

// Event is one engine event, e.g. a container start or a health change.
type Event struct {
	Type   string // "container", "network", "volume", "image"
	Action string // "create", "start", "die", "health_status: healthy", ...
	ID     string
	// Attributes holds the actor's labels and details (name, exitCode...).
	Attributes map[string]string
	Time       time.Time
}

// Mount is one mount of a container, as a list call reports it.
type Mount struct {
	Type        string // "volume", "bind", "tmpfs"
	Name        string // volume name, for volumes
	Source      string
	Destination string
}
