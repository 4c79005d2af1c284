package e2e

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// requireRegistry returns the test registry's address (host:port), failing
// the test when there is none: scripts/engine.sh starts one and exports
// BERTH_REGISTRY, holding busybox as berth/busybox:latest.
func requireRegistry(t *testing.T) string {
	t.Helper()
	requireEngine(t)
	addr := os.Getenv("BERTH_REGISTRY")
	if addr == "" {
		t.Fatal("BERTH_REGISTRY is not set; run the suite with make test-e2e, or eval \"$(scripts/engine.sh start)\" first")
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + addr + "/v2/")
	if err != nil {
		t.Fatalf("no registry answers at BERTH_REGISTRY=%s: %v; start it with scripts/engine.sh start", addr, err)
	}
	resp.Body.Close()
	return addr
}

// TestPullMissing: up pulls a service's image the engine lacks (--pull
// missing, the default) from a real registry, once: the next up finds it.
func TestPullMissing(t *testing.T) {
	ref := requireRegistry(t) + "/berth/busybox:latest"
	dir, name := upProject(t)
	dockerAPI(t, "DELETE", "/images/"+ref) // left by an earlier run, or absent
	if exists(t, "/images/"+ref+"/json") {
		t.Fatalf("%s is still on the engine; the pull would prove nothing", ref)
	}
	env := []string{"PULL_IMAGE=" + ref}
	res := runBerth(t, dir, env, "-p", name, "--progress", "plain", "up", "-d")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "Image "+ref+"  Pulled") {
		t.Fatalf("up with a missing image: want it pulled: %s", res)
	}
	if !exists(t, "/images/"+ref+"/json") {
		t.Errorf("%s not on the engine after up", ref)
	}
	if got := states(t, name); got[name+"-app-1"] != "running" {
		t.Errorf("states after the pull = %v", got)
	}
	res = runBerth(t, dir, env, "-p", name, "--progress", "plain", "up", "-d")
	if res.ExitCode != 0 || strings.Contains(res.Stderr, "Pulling") {
		t.Errorf("second up pulled again, or failed: %s", res)
	}
}
