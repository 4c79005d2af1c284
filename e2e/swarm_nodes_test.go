package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// TestSwarmTwoNodes: a placement constraint on node.hostname puts the
// task on the named node, and the project's overlay network carries
// traffic from a task on the manager to it. It needs node 2
// (scripts/swarm-worker.sh), which the harness keeps drained so the other
// tests stay on one node; this test makes it active while it runs.
func TestSwarmTwoNodes(t *testing.T) {
	node2 := os.Getenv("BERTH_SWARM_NODE2")
	if node2 == "" {
		t.Skip("no swarm node 2: scripts/swarm-worker.sh did not start one (make test-e2e says why)")
	}
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmTwoNodes"))
	nodeID := setAvailability(t, node2, "active")
	t.Cleanup(func() { setAvailability(t, node2, "drain") })

	env := []string{"NODE2=" + node2}
	if res := runBerth(t, dir, env, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
		t.Fatalf("swarm up: %s", res)
	}
	pinned := runningTasks(serviceTasks(t, stackService(t, ns, "pinned").ID))
	client := runningTasks(serviceTasks(t, stackService(t, ns, "client").ID))
	if len(pinned) != 1 || len(client) != 1 {
		t.Fatalf("running tasks: pinned %d, client %d", len(pinned), len(client))
	}
	if pinned[0].NodeID != nodeID {
		t.Errorf("the pinned task runs on node %s, want %s (%s)", pinned[0].NodeID, nodeID, node2)
	}
	if client[0].NodeID == nodeID {
		t.Errorf("the client task runs on node 2 despite node.role == manager")
	}
	res := runBerth(t, dir, env, "-p", ns, "swarm", "ps")
	if !strings.Contains(res.Stdout, node2) {
		t.Errorf("swarm ps does not name node 2: %s", res)
	}
	// The client's container is on this engine; it asks the pinned task,
	// on node 2, across the overlay network.
	id := client[0].Status.ContainerStatus.ContainerID
	eventually(t, 20*time.Second, "an answer from node 2 over the overlay", func() (bool, string) {
		out := execIn(t, id, "sh", "-c", `printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 3 pinned 8080`)
		return strings.Contains(out, "answered-by-pinned"), out
	})
}

// setAvailability sets a node's availability through the engine API and
// returns its id.
func setAvailability(t *testing.T, hostname, availability string) string {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/nodes")
	var nodes []struct {
		ID          string
		Version     struct{ Index uint64 }
		Spec        map[string]any
		Description struct{ Hostname string }
	}
	if code != 200 || json.Unmarshal(body, &nodes) != nil {
		t.Fatalf("listing nodes: %d %s", code, body)
	}
	for _, n := range nodes {
		if n.Description.Hostname != hostname {
			continue
		}
		n.Spec["Availability"] = availability
		code, body := dockerAPIJSON(t, "POST", fmt.Sprintf("/nodes/%s/update?version=%d", n.ID, n.Version.Index), n.Spec)
		if code != 200 {
			t.Fatalf("setting node %s %s: %d %s", hostname, availability, code, body)
		}
		return n.ID
	}
	t.Fatalf("the swarm has no node %s", hostname)
	return ""
}
