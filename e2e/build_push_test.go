package e2e

import (
	"strings"
	"testing"
)

// TestBuildPushPullRoundTrip: an image berth built goes to the registry
// with push, and comes back with pull to an engine that no longer has it,
// the same image: run prints what the build wrote into it.
func TestBuildPushPullRoundTrip(t *testing.T) {
	reg := requireRegistry(t)
	dir := projectDir(t, "TestBuildPushPullRoundTrip")
	name := uniqueProjectName(t)
	img := reg + "/berth-e2e/" + name + ":1"
	marker := "built-" + name
	env := []string{"IMG=" + img}
	t.Cleanup(func() {
		runBerth(t, dir, env, "-p", name, "down", "--rmi", "all")
		dockerAPI(t, "DELETE", "/images/"+img+"?force=1")
	})
	if res := runBerth(t, dir, env, "-p", name, "build", "--build-arg", "MARKER="+marker); res.ExitCode != 0 {
		t.Fatalf("build: %s", res)
	}
	if res := runBerth(t, dir, env, "-p", name, "push"); res.ExitCode != 0 {
		t.Fatalf("push: %s", res)
	}
	removeImage(t, img)
	if exists(t, "/images/"+img+"/json") {
		t.Fatalf("%s is still on the engine; the pull would prove nothing", img)
	}
	if res := runBerth(t, dir, env, "-p", name, "--progress", "plain", "pull"); res.ExitCode != 0 || !strings.Contains(res.Stderr, "Pulled") {
		t.Fatalf("pull: %s", res)
	}
	res := runBerth(t, dir, env, "-p", name, "run", "--rm", "-T", "app")
	if res.ExitCode != 0 || strings.TrimSpace(res.Stdout) != marker {
		t.Fatalf("run of the pulled image: want %q: %s", marker, res)
	}
}
