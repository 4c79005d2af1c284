package e2e

import (
	"testing"
)

// TestConfigContent: configs and secrets given by content: and environment:
// are in the container with their mode and owner when it runs; a change of
// the content recreates the container with the new content, and an
// unchanged up recreates nothing.
func TestConfigContent(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	first := onlyContainer(t, name)
	checkFile(t, first.ID, "/etc/app/greeting.txt", "440 1234 5678", "hello world\n")
	checkFile(t, first.ID, "/run/secrets/token", "444 0 0", "s3cret")

	changed := []string{"GREETING=again"}
	if res := runBerth(t, dir, changed, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up with a changed config: %s", res)
	}
	second := onlyContainer(t, name)
	if second.ID == first.ID {
		t.Fatal("a changed config content did not recreate the container")
	}
	checkFile(t, second.ID, "/etc/app/greeting.txt", "440 1234 5678", "hello again\n")
	// docker compose's hash leaves the content out: it must stay the same,
	// or either tool would recreate the other's containers for nothing.
	if a, b := first.Config.Labels["com.docker.compose.config-hash"], second.Config.Labels["com.docker.compose.config-hash"]; a != b {
		t.Errorf("config-hash moved with the content: %s, then %s", a, b)
	}

	if res := runBerth(t, dir, changed, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("unchanged up: %s", res)
	}
	if third := onlyContainer(t, name); third.ID != second.ID {
		t.Errorf("an unchanged up recreated the container: %s, then %s", second.ID, third.ID)
	}
}

// onlyContainer is the project's one container, running.
func onlyContainer(t *testing.T, project string) containerInfo {
	t.Helper()
	cs := projectContainers(t, project)
	if len(cs) != 1 || cs[0].State.Status != "running" {
		t.Fatalf("want one running container, got %+v", cs)
	}
	return cs[0]
}

// checkFile reads path's mode, owner and content inside the container.
func checkFile(t *testing.T, id, path, modeOwner, content string) {
	t.Helper()
	if got := execIn(t, id, "stat", "-c", "%a %u %g", path); got != modeOwner+"\n" {
		t.Errorf("%s: mode uid gid = %q, want %q", path, got, modeOwner)
	}
	if got := execIn(t, id, "cat", path); got != content {
		t.Errorf("%s: content = %q, want %q", path, got, content)
	}
}
