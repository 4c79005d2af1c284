package engine

import "time"

// Version describes the engine berth talks to.
type Version struct {
	// Platform is the product name, such as "Docker Engine - Community";
	// engines built from source leave it empty.
	Platform string
	// Version is the engine release, such as "20.10.24".
	Version string
	// APIVersion is the newest API version the engine speaks.
	APIVersion string
	// MinAPIVersion is the oldest API version the engine speaks.
	MinAPIVersion string
	// NegotiatedAPIVersion is the API version berth uses with this engine:
	// the lower of the engine's and berth's newest, or DOCKER_API_VERSION.
	NegotiatedAPIVersion string

	OS            string
	Arch          string
	KernelVersion string
	GoVersion     string
	GitCommit     string
}

// ContainerState is a container's lifecycle state as the engine reports it.
type ContainerState string

// The engine's container states.
const (
	StateCreated    ContainerState = "created"
	StateRunning    ContainerState = "running"
	StatePaused     ContainerState = "paused"
	StateRestarting ContainerState = "restarting"
	StateRemoving   ContainerState = "removing"
	StateExited     ContainerState = "exited"
	StateDead       ContainerState = "dead"
)

// Container is a container as a list shows it.
type Container struct {
	ID string
	// Name has no leading slash.
	Name    string
	Image   string
	ImageID string
	State   ContainerState
	// Status is the engine's human text, such as "Up 3 minutes (healthy)".
	Status  string
	Created time.Time
	Labels  map[string]string
	// Mounts, from the same list call: enough to carry anonymous volumes
	// over to a replacement without an inspect per container.
	Mounts []Mount
	// Networks the container is attached to, by network name.
	Networks []string
	// Command is the command line the container runs, as the list shows it.
	Command string
	Ports   []Port
}

// Port is one of a container's ports: published to HostIP:Public, or only
// exposed (Public 0).
type Port struct {
	HostIP   string
	Private  uint16
	Public   uint16
	Protocol string // tcp, udp, sctp
}

// Network is a network as a list shows it.
type Network struct {
	ID         string
	Name       string
	Driver     string
	Scope      string
	Internal   bool
	Attachable bool
	Labels     map[string]string
}

// Volume is a volume as a list shows it.
type Volume struct {
	Name       string
	Driver     string
	Scope      string
	Mountpoint string
	Options    map[string]string
	Labels     map[string]string
}
