package e2e

import (
	"encoding/json"
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

// TestPullPlanned: pulls are steps of the plan. --dry-run lists the one
// pull two services sharing a missing image need and changes nothing; up
// then pulls it once, and both containers record the pulled image's id.
func TestPullPlanned(t *testing.T) {
	ref := requireRegistry(t) + "/berth/busybox:latest"
	// Registered first, so it runs after upProject's down: the pull's
	// image goes too, once no container uses it.
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+ref) })
	dir, name := upProject(t)
	dockerAPI(t, "DELETE", "/images/"+ref) // left by an earlier run, or absent
	if exists(t, "/images/"+ref+"/json") {
		t.Fatalf("%s is still on the engine; the pull would prove nothing", ref)
	}
	env := []string{"PULL_IMAGE=" + ref}

	res := runBerth(t, dir, env, "-p", name, "--dry-run", "up", "-d")
	if res.ExitCode != 0 || strings.Count(res.Stdout, "pull:"+ref+" (missing)\n") != 1 {
		t.Fatalf("up --dry-run: want the pull listed once: %s", res)
	}
	if exists(t, "/images/"+ref+"/json") || len(projectContainers(t, name)) != 0 || exists(t, "/networks/"+name+"_default") {
		t.Fatalf("up --dry-run changed the engine: %s", res)
	}

	res = runBerth(t, dir, env, "-p", name, "--progress", "plain", "up", "-d")
	if res.ExitCode != 0 || strings.Count(res.Stderr, "Image "+ref+"  Pulled") != 1 || strings.Count(res.Stderr, "Image "+ref+"  Pulling") != 1 {
		t.Fatalf("up: want one pull, shown as one Pulling and one Pulled line: %s", res)
	}
	if strings.Contains(res.Stderr, "Layer") {
		t.Errorf("plain output shows layer updates: %s", res)
	}
	code, body := dockerAPI(t, "GET", "/images/"+ref+"/json")
	var image struct {
		ID string `json:"Id"`
	}
	if code != 200 || json.Unmarshal(body, &image) != nil {
		t.Fatalf("%s not on the engine after up: %d %s", ref, code, body)
	}
	cs := projectContainers(t, name)
	if len(cs) != 2 {
		t.Fatalf("containers = %+v, want app and worker", cs)
	}
	for _, c := range cs {
		if c.State.Status != "running" || c.Config.Labels["com.docker.compose.image"] != image.ID {
			t.Errorf("%s: %s, com.docker.compose.image %q; want running with %s", c.Name, c.State.Status, c.Config.Labels["com.docker.compose.image"], image.ID)
		}
	}
}

// TestQuietPull: up --quiet-pull pulls a missing image without showing
// the pull, and still shows the containers' progress.
func TestQuietPull(t *testing.T) {
	ref := requireRegistry(t) + "/berth/busybox:latest"
	dir, name := upProject(t)
	dockerAPI(t, "DELETE", "/images/"+ref)
	env := []string{"PULL_IMAGE=" + ref}
	res := runBerth(t, dir, env, "-p", name, "--progress", "plain", "up", "-d", "--quiet-pull")
	if res.ExitCode != 0 || strings.Contains(res.Stderr, "Pull") || !strings.Contains(res.Stderr, "Started") {
		t.Fatalf("up --quiet-pull: want the image pulled silently and the start shown: %s", res)
	}
	if !exists(t, "/images/"+ref+"/json") {
		t.Errorf("%s not on the engine after up --quiet-pull", ref)
	}
}
