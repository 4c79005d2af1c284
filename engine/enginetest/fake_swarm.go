package enginetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/swarm"
)

var _ engine.Swarm = (*Fake)(nil)

// swarmState is the swarm the fake manages: its nodes and the objects its
// manager stores. The Fake's lock guards it.
type swarmState struct {
	inactive bool
	nodes    []swarm.Node
	services map[string]*serviceRecord // by id
	tasks    map[string]*swarm.Task    // by id
	configs  map[string]*swarm.Config  // by id
	secrets  map[string]*swarm.Secret  // by id
	digests  map[string]string         // normalised reference -> digest
	scripts  map[string]TaskScript     // by service name
	logs     map[string]*serviceLogs   // by service name
	// index is the manager's store version: every write raises it, and
	// each object keeps the index of its last write as Meta.Version.
	index uint64
}

func newSwarmState() swarmState {
	return swarmState{
		nodes:    makeNodes("node-1"),
		services: map[string]*serviceRecord{},
		tasks:    map[string]*swarm.Task{},
		configs:  map[string]*swarm.Config{},
		secrets:  map[string]*swarm.Secret{},
		digests:  map[string]string{},
		scripts:  map[string]TaskScript{},
		logs:     map[string]*serviceLogs{},
	}
}

// makeNodes makes ready nodes "node-1", "node-2"... named hostnames, the
// first the swarm's leading manager and the others workers.
func makeNodes(hostnames ...string) []swarm.Node {
	var nodes []swarm.Node
	for i, h := range hostnames {
		n := swarm.Node{
			ID:          fmt.Sprintf("node-%d", i+1),
			Spec:        swarm.NodeSpec{Role: swarm.NodeRoleWorker, Availability: swarm.NodeAvailabilityActive},
			Description: swarm.NodeDescription{Hostname: h, Platform: swarm.Platform{OS: "linux", Architecture: "x86_64"}},
			Status:      swarm.NodeStatus{State: swarm.NodeStateReady, Addr: fmt.Sprintf("10.0.0.%d", i+1)},
		}
		if i == 0 {
			n.Spec.Role = swarm.NodeRoleManager
			n.ManagerStatus = &swarm.ManagerStatus{Leader: true, Reachability: swarm.ReachabilityReachable, Addr: n.Status.Addr + ":2377"}
		}
		n.Spec.Labels = map[string]string{}
		nodes = append(nodes, n)
	}
	return nodes
}

// WithNodes replaces the swarm's nodes with ready ones of these hostnames,
// in order: ids "node-1", "node-2"..., the first the leading manager (the
// node the fake is), the others workers.
func (f *Fake) WithNodes(hostnames ...string) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.swarm.nodes = makeNodes(hostnames...)
	return f
}

// WithNodeState sets the state of the node with hostname ("down",
// "unknown"...): only ready nodes get new tasks. It panics on a hostname
// no node has, so a typo cannot pass unnoticed.
func (f *Fake) WithNodeState(hostname string, state swarm.NodeState) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.swarm.nodes {
		if f.swarm.nodes[i].Description.Hostname == hostname {
			f.swarm.nodes[i].Status.State = state
			return f
		}
	}
	panic(fmt.Sprintf("enginetest: no node has hostname %q", hostname))
}

// WithoutSwarm makes the fake an engine outside any swarm: SwarmStatus
// says "inactive" and every other swarm call but ImageDigest (which asks
// a registry, not the swarm) fails as the engine does, with a 503 for
// which engine.IsNotFound and engine.IsConflict do not hold.
func (f *Fake) WithoutSwarm() *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.swarm.inactive = true
	return f
}

// errNotManager is the engine's answer to a swarm call outside a swarm.
var errNotManager = engine.ErrUnavailable.WithMessage(
	`This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.`)

// swarmBegin is begin for the calls only a manager answers: it also fails
// them outside a swarm, wrapped with what was asked. It returns with the
// Fake's lock held when, and only when, the error is nil.
func (f *Fake) swarmBegin(ctx context.Context, method, target, asking string) error {
	if err := f.begin(ctx, method, target); err != nil {
		return err
	}
	f.mu.Lock()
	if f.swarm.inactive {
		f.mu.Unlock()
		return fmt.Errorf("%s: %w", asking, errNotManager)
	}
	return nil
}

// SwarmStatus says the fake is the manager of its swarm, or, after
// WithoutSwarm, in none.
func (f *Fake) SwarmStatus(ctx context.Context) (engine.SwarmStatus, error) {
	if err := f.begin(ctx, "SwarmStatus", ""); err != nil {
		return engine.SwarmStatus{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.swarm.inactive || len(f.swarm.nodes) == 0 {
		return engine.SwarmStatus{LocalState: string(swarm.LocalNodeStateInactive)}, nil
	}
	return engine.SwarmStatus{NodeID: f.swarm.nodes[0].ID, LocalState: string(swarm.LocalNodeStateActive), ControlAvailable: true}, nil
}

// ListNodes lists the swarm's nodes, sorted by hostname.
func (f *Fake) ListNodes(ctx context.Context) ([]swarm.Node, error) {
	if err := f.swarmBegin(ctx, "ListNodes", "", "listing swarm nodes"); err != nil {
		return nil, err
	}
	defer f.mu.Unlock()
	nodes := clone(f.swarm.nodes)
	slices.SortStableFunc(nodes, func(a, b swarm.Node) int { return strings.Compare(a.Description.Hostname, b.Description.Hostname) })
	return nodes, nil
}

// readyNodes are the nodes new tasks may go to, in the order WithNodes
// gave them. The caller holds the Fake's lock.
func (s *swarmState) readyNodes() []swarm.Node {
	var out []swarm.Node
	for _, n := range s.nodes {
		if n.Status.State == swarm.NodeStateReady && n.Spec.Availability == swarm.NodeAvailabilityActive {
			out = append(out, n)
		}
	}
	return out
}

// write raises the store's index for one more write and returns it. The
// caller holds the Fake's lock.
func (s *swarmState) write() swarm.Version {
	s.index++
	return swarm.Version{Index: s.index}
}

// swarmID makes an id the way swarmkit spells them, 25 lowercase base-36
// digits, so code that assumes 64 hex digits fails against the fake too;
// like newID it is the same for the same sequence of creations.
func (f *Fake) swarmID(kind string) string {
	f.seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "swarm-%s-%d", kind, f.seq))
	id := new(big.Int).SetBytes(sum[:16]).Text(36) // 128 bits fit in 25 digits
	return strings.Repeat("0", 25-len(id)) + id
}

// clone deep-copies v through JSON, as a trip through the API would: the
// fake's state never shares memory with what callers hold, and what they
// get back has the shape the engine's JSON gives it.
func clone[T any](v T) T {
	var out T
	buf, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("enginetest: copying %T: %v", v, err))
	}
	if err := json.Unmarshal(buf, &out); err != nil {
		panic(fmt.Sprintf("enginetest: copying %T: %v", v, err))
	}
	return out
}
