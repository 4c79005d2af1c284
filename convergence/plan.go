package convergence

import (
	"fmt"
	"sort"
	"strings"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/engine"
)

// Kind is what one action does. Values are explicit: they appear in plan
// text that tests compare.
type Kind int

const (
	CreateNetwork     Kind = 1
	CreateVolume      Kind = 2
	CreateContainer   Kind = 3
	StartContainer    Kind = 4
	StopContainer     Kind = 5
	RemoveContainer   Kind = 6
	RenameContainer   Kind = 7
	ConnectNetwork    Kind = 8
	WaitHealthy       Kind = 9  // a service's containers report healthy
	WaitCompleted     Kind = 10 // a service's containers exited 0
	ServiceStarted    Kind = 11 // a barrier: every container of a service started
	RemoveNetwork     Kind = 12
	RemoveVolume      Kind = 13
	KillContainer     Kind = 14
	PauseContainer    Kind = 15
	UnpauseContainer  Kind = 16
	RemoveImage       Kind = 17
	PullImage         Kind = 18 // one per image reference, however many services use it
	DisconnectNetwork Kind = 19
	PushImage         Kind = 20 // one per image reference, however many services name it
	BuildImage        Kind = 21 // one per image reference built, after the builds whose images it reads
)

var kindNames = map[Kind]string{
	CreateNetwork: "create-network", CreateVolume: "create-volume",
	CreateContainer: "create", StartContainer: "start", StopContainer: "stop",
	RemoveContainer: "remove", RenameContainer: "rename", ConnectNetwork: "connect",
	WaitHealthy: "wait-healthy", WaitCompleted: "wait-completed", ServiceStarted: "started",
	RemoveNetwork: "remove-network", RemoveVolume: "remove-volume",
	KillContainer: "kill", PauseContainer: "pause", UnpauseContainer: "unpause", RemoveImage: "remove-image",
	PullImage: "pull", DisconnectNetwork: "disconnect", PushImage: "push", BuildImage: "build",
}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// ActionID names one action of a plan: its kind and what it works on, as
// "create:shop-web-1" or "connect:shop-web-1:shop_back". It is stable, so
// plans compare as text; build one with Kind.ID.
type ActionID string

// ID is the ID of the action of kind k on resource.
func (k Kind) ID(resource string) ActionID { return ActionID(k.String() + ":" + resource) }

// Action is one engine call (or one wait) of a plan.
type Action struct {
	ID       ActionID // unique in the plan, stable: "create:shop-web-1"
	Kind     Kind
	Resource string     // the engine object, by name: "shop-web-1", "shop_default"
	Reason   string     // why the action exists, for users and tests
	After    []ActionID // actions that must finish first, sorted
	// Optional marks work whose failure only warns (required: false).
	Optional bool

	Service string // for container actions and waits
	Number  int    // container number, for container actions
	// Target is the existing container's id for stop, remove, rename and
	// start of an existing container; for rename, NewName is the final name.
	Target  string
	NewName string
	// ContainerName is the container a ConnectNetwork attaches (created by
	// this plan, so its id is only known while applying).
	ContainerName string

	// KeepInUse, on a RemoveNetwork of a teardown, keeps a network that
	// containers outside the plan still use, with a warning; elsewhere
	// (a network made again) that is an error.
	KeepInUse bool

	// RemoveVolumes also removes a removed container's anonymous volumes.
	RemoveVolumes bool
	// Signal is what KillContainer sends.
	Signal string

	Container *engine.ContainerSpec // for CreateContainer
	// RefHash, on a CreateContainer whose service references other
	// services' containers, recomputes the config-hash label once the ids
	// of those containers are known.
	RefHash  *RefHash
	Network  *engine.NetworkSpec  // for CreateNetwork
	Volume   *engine.VolumeSpec   // for CreateVolume
	Endpoint *engine.EndpointSpec // for ConnectNetwork; Resource is the network

	// Services, on a PullImage or PushImage, are the services whose image
	// it is, sorted: its error names them.
	Services []string
	Build    *build.Build // for BuildImage; Resource is the image it makes
}

// Plan is the actions that bring the engine to the desired state. It is plain
// data: printed by --dry-run, compared by tests, carried out by Apply.
type Plan struct {
	Actions  []Action
	Warnings []string
}

// String is one line per action, in ID order:
// "create:shop-web-1 [after create-network:shop_default] (new container)".
func (p *Plan) String() string {
	var b strings.Builder
	for _, a := range p.sorted() {
		b.WriteString(string(a.ID))
		if len(a.After) > 0 {
			b.WriteString(" [after " + joinIDs(a.After) + "]")
		}
		if a.Optional {
			b.WriteString(" optional")
		}
		if a.Reason != "" {
			b.WriteString(" (" + a.Reason + ")")
		}
		b.WriteByte('\n')
	}
	for _, w := range p.Warnings {
		b.WriteString("warning: " + w + "\n")
	}
	return b.String()
}

func (p *Plan) sorted() []Action {
	out := append([]Action(nil), p.Actions...)
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	for _, a := range p.Actions {
		if a.Kind != ServiceStarted {
			return false
		}
	}
	return true
}

func joinIDs(ids []ActionID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = string(id)
	}
	return strings.Join(s, " ")
}
