package e2e

import (
	"strings"
	"testing"
)

// TestSwarmPrivateRegistry: the image is pinned to the digest its
// registry gives with the user's login, and the node can pull it because
// berth sends that login with the service; no output shows the password.
func TestSwarmPrivateRegistry(t *testing.T) {
	r := requireAuthRegistry(t)
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmPrivateRegistry"))
	ref, _ := seedAuth(t, r, ns)
	env := append(dockerConfigDir(t, authsConfig(r.Addr, r.User, r.Password)), "IMG="+ref)

	res := runBerth(t, dir, env, "-p", ns, "swarm", "up", "--wait")
	if res.ExitCode != 0 {
		t.Fatalf("swarm up: %s", res)
	}
	for _, secret := range secretsIn(r.User, r.Password) {
		if strings.Contains(res.Stdout+res.Stderr, secret) {
			t.Errorf("the output shows the password or an encoding of it: %s", res)
		}
	}
	image := stackService(t, ns, "app").Spec.TaskTemplate.ContainerSpec.Image
	if !strings.HasPrefix(image, ref+"@sha256:") {
		t.Errorf("the service runs %q, want %s pinned to a digest", image, ref)
	}
	if n := len(runningTasks(serviceTasks(t, stackService(t, ns, "app").ID))); n != 1 {
		t.Errorf("%d running tasks, want 1", n)
	}
}
