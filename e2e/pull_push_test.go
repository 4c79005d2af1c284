package e2e

import (
	"strings"
	"testing"
)

// seedOpen puts a new image into the open registry under a repository of
// the test's own and returns "registry/repository" (without the tag), and
// the repository alone, as the registry's log names it.
func seedOpen(t *testing.T, name, suffix string) (ref, repo string) {
	t.Helper()
	repo = "berth-e2e/" + name + "-" + suffix
	ref = requireRegistry(t) + "/" + repo
	seedImage(t, ref, "1", registryAuthHeader("", ""))
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+ref+":1?force=1") })
	return ref, repo
}

// TestPullEachImageOnce: pull of five services sharing three images asks
// the registry for each image once, and shows each pull once.
func TestPullEachImageOnce(t *testing.T) {
	dir, name := upProject(t)
	log := registryLog(t)
	one, oneRepo := seedOpen(t, name, "one")
	two, twoRepo := seedOpen(t, name, "two")
	three, threeRepo := seedOpen(t, name, "three")
	env := []string{"IMG_ONE=" + one + ":1", "IMG_TWO=" + two + ":1", "IMG_THREE=" + three + ":1"}
	from := logSize(t, log)

	res := runBerth(t, dir, env, "-p", name, "--progress", "plain", "pull")
	if res.ExitCode != 0 {
		t.Fatalf("pull: %s", res)
	}
	for _, repo := range []string{oneRepo, twoRepo, threeRepo} {
		if n := manifestRequests(t, log, from, repo, "1"); n != 1 {
			t.Errorf("%s: %d manifest requests, want 1 (one pull)", repo, n)
		}
	}
	for _, ref := range []string{one, two, three} {
		if !exists(t, "/images/"+ref+":1/json") {
			t.Errorf("%s:1 is not on the engine after pull", ref)
		}
		if n := strings.Count(res.Stderr, "Image "+ref+":1  Pulled"); n != 1 {
			t.Errorf("%s:1 shown pulled %d times, want once: %s", ref, n, res)
		}
	}
	if !strings.Contains(res.Stderr, "Service f  Skipped - No image to be pulled") {
		t.Errorf("no skip line for the built service: %s", res)
	}
	if cs := projectContainers(t, name); len(cs) != 0 {
		t.Errorf("pull made containers: %+v", cs)
	}
}

// TestUpPullsOnlyMissing: up asks the registry only for the image the
// engine lacks, and a second up asks for nothing.
func TestUpPullsOnlyMissing(t *testing.T) {
	dir, name := upProject(t)
	log := registryLog(t)
	present, presentRepo := seedOpen(t, name, "present")
	missing, missingRepo := seedOpen(t, name, "missing")
	if code, body := dockerAPI(t, "POST", "/images/create?fromImage="+present+"&tag=1"); code != 200 {
		t.Fatalf("pulling %s first: %d %s", present, code, body)
	}
	env := []string{"IMG_PRESENT=" + present + ":1", "IMG_MISSING=" + missing + ":1"}
	from := logSize(t, log)

	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	if n := manifestRequests(t, log, from, presentRepo, "1"); n != 0 {
		t.Errorf("the present image was asked for %d times, want 0", n)
	}
	if n := manifestRequests(t, log, from, missingRepo, "1"); n != 1 {
		t.Errorf("the missing image was asked for %d times, want 1", n)
	}
	if got := states(t, name); got[name+"-present-1"] != "running" || got[name+"-missing-1"] != "running" {
		t.Errorf("states = %v", got)
	}
	from = logSize(t, log)
	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("second up: %s", res)
	}
	if n := manifestRequests(t, log, from, missingRepo, "1") + manifestRequests(t, log, from, presentRepo, "1"); n != 0 {
		t.Errorf("the second up asked the registry %d times, want 0", n)
	}
}

// TestPullPolicyAlways: pull_policy: always pulls on every up, and an
// image that did not change keeps its container.
func TestPullPolicyAlways(t *testing.T) {
	dir, name := upProject(t)
	log := registryLog(t)
	ref, repo := seedOpen(t, name, "app")
	env := []string{"IMG=" + ref + ":1"}
	from := logSize(t, log)
	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	first := projectContainers(t, name)
	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("second up: %s", res)
	}
	if n := manifestRequests(t, log, from, repo, "1"); n != 2 {
		t.Errorf("%d manifest requests over two ups, want 2: one pull each", n)
	}
	if again := projectContainers(t, name); len(first) != 1 || len(again) != 1 || first[0].ID != again[0].ID {
		t.Errorf("the container was replaced though its image did not change: %+v then %+v", first, again)
	}
}

// TestPullQuietAndIgnoreFailures: -q prints nothing; a missing image fails
// pull, naming its service, unless --ignore-pull-failures, which pulls
// the rest and exits 0.
func TestPullQuietAndIgnoreFailures(t *testing.T) {
	dir, name := upProject(t)
	good, _ := seedOpen(t, name, "good")
	bad := requireRegistry(t) + "/berth-e2e/" + name + "-never-pushed"
	env := []string{"IMG_GOOD=" + good + ":1", "IMG_BAD=" + bad + ":1"}

	res := runBerth(t, dir, env, "-p", name, "pull", "-q", "good")
	if res.ExitCode != 0 || res.Stdout != "" || res.Stderr != "" {
		t.Errorf("pull -q: want exit 0 and no output: %s", res)
	}
	if !exists(t, "/images/"+good+":1/json") {
		t.Errorf("pull -q did not pull %s", good)
	}
	removeImage(t, good+":1")

	res = runBerth(t, dir, env, "-p", name, "--progress", "plain", "pull")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "Image "+bad+":1: for service bad: ") {
		t.Errorf("pull of a missing image: want a failure naming service bad and its image: %s", res)
	}
	removeImage(t, good+":1")

	res = runBerth(t, dir, env, "-p", name, "--progress", "plain", "pull", "--ignore-pull-failures")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "Image "+bad+":1  Skipped") {
		t.Errorf("pull --ignore-pull-failures: want exit 0 and a warning for bad: %s", res)
	}
	if !exists(t, "/images/"+good+":1/json") {
		t.Errorf("pull --ignore-pull-failures did not pull %s", good)
	}
}

// TestUpUnreachableRegistry: an image on a registry nobody answers at
// fails up with one error naming the service and the image, and nothing
// is made on the engine: no network, volume or container.
func TestUpUnreachableRegistry(t *testing.T) {
	dir, name := upProject(t)
	ref := closedPort(t) + "/berth-e2e/app:1"
	res := runBerth(t, dir, []string{"IMG=" + ref}, "-p", name, "--progress", "quiet", "up", "-d")
	if res.ExitCode == 0 {
		t.Fatalf("up with an unreachable registry succeeded: %s", res)
	}
	// The quiet view shows the failure once; the command's error once more.
	want := "Image " + ref + ": for service app: "
	if n := strings.Count(res.Stderr, want); n != 1 || !strings.Contains(res.Stderr, "connection refused") {
		t.Errorf("want one error naming service app and %s (connection refused): %s", ref, res)
	}
	if cs := projectContainers(t, name); len(cs) != 0 {
		t.Errorf("containers were made: %+v", cs)
	}
	if exists(t, "/networks/"+name+"_default") || exists(t, "/volumes/"+name+"_data") {
		t.Errorf("the network or the volume was made: %s", res)
	}
}
