package stack

import (
	"slices"
	"strings"

	"github.com/moby/moby/api/types/swarm"

	"github.com/berth-compose/berth/engine"
)

// Kind is what an action does. The values are explicit: plans are compared
// as text in tests and printed by --dry-run.
type Kind int

const (
	CreateNetwork Kind = 1
	CreateConfig  Kind = 2
	CreateSecret  Kind = 3
	CreateService Kind = 4
	UpdateService Kind = 5
	// WaitService waits until a service has converged: its tasks of the
	// spec berth sent run (and are healthy), or a job's completed.
	WaitService   Kind = 6
	RemoveService Kind = 7
	RemoveConfig  Kind = 8
	RemoveSecret  Kind = 9
	RemoveNetwork Kind = 10
)

var kindVerbs = map[Kind]string{
	CreateNetwork: "create-network", CreateConfig: "create-config", CreateSecret: "create-secret",
	CreateService: "create-service", UpdateService: "update-service", WaitService: "wait",
	RemoveService: "remove-service", RemoveConfig: "remove-config", RemoveSecret: "remove-secret",
	RemoveNetwork: "remove-network",
}

func (k Kind) String() string { return kindVerbs[k] }

// actionID is the stable ID of the action of kind k on name.
func actionID(k Kind, name string) string { return k.String() + ":" + name }

// Action is one engine call, or one wait, of a plan.
type Action struct {
	ID     string // unique and stable: "update-service:web"
	Kind   Kind
	Name   string   // the engine object by name, or the service's key
	Reason string   // why, for users and tests
	After  []string // actions that must finish first, sorted

	// Service is the compose service of service actions and waits.
	Service string
	// TargetID is the existing object an update, wait or remove is about;
	// empty for a service this plan creates.
	TargetID string
	// Version is the service version an update was planned from.
	Version uint64
	// Spec is what a create or update sends. Its config and secret IDs
	// are filled in while applying, from the objects then known by name.
	Spec *swarm.ServiceSpec
	// Network is what a CreateNetwork sends.
	Network *engine.NetworkSpec
	// Object is what a CreateConfig or CreateSecret stores.
	Object *Object
	// TaskHash, on a wait, is the LabelTaskHash of the tasks it waits
	// for; Completed waits for a job's (or a completed dependency's) end
	// instead of running tasks.
	TaskHash  string
	Completed bool
	// SpecHash, on a wait, is the LabelSpecHash of the spec it waits for:
	// a service carrying another was rolled back or changed by others.
	SpecHash string
	// Labels, on a create of a config, secret or network, are its labels.
	Labels map[string]string
}

// Plan is a deploy or a removal of a stack, as plain data.
type Plan struct {
	Namespace string
	Actions   []Action
	// IDs maps "config:<name>" and "secret:<name>" to the ids of objects
	// that exist already, so specs can name them.
	IDs      map[string]string
	Warnings []string
}

// Empty reports whether the plan changes nothing and waits for nothing.
func (p *Plan) Empty() bool { return len(p.Actions) == 0 }

// Changes counts the actions that change the engine: waits left out.
func (p *Plan) Changes() int {
	n := 0
	for _, a := range p.Actions {
		if a.Kind != WaitService {
			n++
		}
	}
	return n
}

// String is one line per action, sorted by ID, then the warnings: the form
// tests compare and --dry-run prints.
func (p *Plan) String() string {
	var b strings.Builder
	actions := slices.Clone(p.Actions)
	slices.SortFunc(actions, func(x, y Action) int { return strings.Compare(x.ID, y.ID) })
	for _, a := range actions {
		b.WriteString(a.ID)
		if len(a.After) > 0 {
			b.WriteString(" [after " + strings.Join(a.After, ", ") + "]")
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

func (p *Plan) add(a Action) {
	slices.Sort(a.After)
	a.After = slices.Compact(a.After)
	p.Actions = append(p.Actions, a)
}

func (p *Plan) has(id string) bool {
	return slices.ContainsFunc(p.Actions, func(a Action) bool { return a.ID == id })
}
