package e2e

import (
	"strings"
	"testing"
)

// TestStartBringsDependencies: start SERVICE starts its dependencies first
// and waits for their conditions, after create as after stop, so create +
// start gives what up -d gives.
func TestStartBringsDependencies(t *testing.T) {
	dir, name := upProject(t)
	for _, before := range [][]string{{"create"}, {"up", "-d"}, {"stop"}} {
		mustBerth(t, dir, name, nil, before...)
		if before[0] == "up" {
			continue // the stop that follows sets up the second case
		}
		mustBerth(t, dir, name, nil, "start", "app")
		expectStates(t, name, strings.Join(before, " ")+" then start app", map[string]string{name + "-db-1": "running", name + "-app-1": "running"})
		db, app := containerNamed(t, name, name+"-db-1"), containerNamed(t, name, name+"-app-1")
		if !healthyBefore(db, app.State.StartedAt) {
			t.Errorf("after %v: app started at %s before db was healthy", before, app.State.StartedAt)
		}
	}
}

// TestRestartDependents: restart db restarts app, which declares
// restart: true, after db; other, which does not, keeps running as it was.
func TestRestartDependents(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	before := map[string]containerInfo{}
	for _, c := range projectContainers(t, name) {
		before[c.Name] = c
	}
	mustBerth(t, dir, name, nil, "restart", "db")
	after := map[string]containerInfo{}
	for _, c := range projectContainers(t, name) {
		after[c.Name] = c
	}
	db, app, other := name+"-db-1", name+"-app-1", name+"-other-1"
	if !after[db].State.StartedAt.After(before[db].State.StartedAt) || !after[app].State.StartedAt.After(before[app].State.StartedAt) {
		t.Errorf("db and app were not both restarted: %v -> %v, %v -> %v", before[db].State.StartedAt, after[db].State.StartedAt,
			before[app].State.StartedAt, after[app].State.StartedAt)
	}
	if after[app].State.StartedAt.Before(after[db].State.StartedAt) {
		t.Errorf("app started again (%s) before db (%s)", after[app].State.StartedAt, after[db].State.StartedAt)
	}
	if !after[other].State.StartedAt.Equal(before[other].State.StartedAt) || after[other].ID != before[other].ID {
		t.Errorf("other was restarted; it does not declare restart: true")
	}
}

// TestDownKeepsNetworksInUse: down SERVICE removes the networks nothing
// else uses; a network a kept container (a profile not enabled, another
// project) is attached to stays, with a warning, and down succeeds.
func TestDownKeepsNetworksInUse(t *testing.T) {
	dir, name := upProject(t)
	front, back := name+"_front", name+"_back"
	// upProject's cleanup does not enable the profile: take debug down too.
	t.Cleanup(func() { runBerth(t, dir, nil, "-p", name, "--profile", "debug", "down", "-v", "-t", "0") })
	mustBerth(t, dir, name, nil, "--profile", "debug", "up", "-d")
	guest := uniqueProjectName(t)
	guestEnv := []string{"HOST_NETWORK=" + back}
	mustBerth(t, dir, guest, guestEnv, "-f", "guest.yaml", "up", "-d")
	t.Cleanup(func() { runBerth(t, dir, guestEnv, "-p", guest, "-f", "guest.yaml", "down", "-t", "0") })

	mustBerth(t, dir, name, nil, "down", "web")
	if !exists(t, "/networks/"+front) {
		t.Fatalf("down web removed %s, which api still uses", front)
	}
	res := mustBerth(t, dir, name, nil, "down", "api")
	if exists(t, "/networks/"+front) {
		t.Errorf("down api left %s, which nothing uses any more", front)
	}
	if !exists(t, "/networks/"+back) || !strings.Contains(res.Stderr, "network "+back+" is kept") {
		t.Errorf("down api: %s gone or no word of why it stays:\n%s", back, res.Stderr)
	}
	// debug's profile is not enabled: its container stays, and so does back.
	res = mustBerth(t, dir, name, nil, "down")
	expectStates(t, name, "down without the profile", map[string]string{name + "-debug-1": "running"})
	if !exists(t, "/networks/"+back) || !strings.Contains(res.Stderr, "still used by "+name+"-debug-1") {
		t.Errorf("down: %s gone or no word of why it stays:\n%s", back, res.Stderr)
	}
	// Now only the guest project uses back: down says so and succeeds.
	res = mustBerth(t, dir, name, nil, "--profile", "debug", "down")
	expectStates(t, name, "down with the profile", map[string]string{})
	if !exists(t, "/networks/"+back) || !strings.Contains(res.Stderr, "other containers still use it") {
		t.Errorf("down with the profile: %s gone or no word of the guest:\n%s", back, res.Stderr)
	}
}

// TestScaleDownKeepsCurrent: from 4 replicas, 2 of an old configuration
// and 2 current, scaling to 2 removes the outdated ones and recreates
// nothing.
func TestScaleDownKeepsCurrent(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, []string{"ROUND=1"}, "up", "-d", "--scale", "web=2")
	mustBerth(t, dir, name, []string{"ROUND=2"}, "up", "-d", "--scale", "web=4", "--no-recreate")
	before := ids(t, name)
	mustBerth(t, dir, name, []string{"ROUND=2"}, "up", "-d", "--scale", "web=2")
	after := ids(t, name)
	want := []string{name + "-web-3", name + "-web-4"}
	if len(after) != 2 || after[want[0]] != before[want[0]] || after[want[1]] != before[want[1]] {
		t.Errorf("after scaling down: %v, want %v kept as they were (%v)", after, want, before)
	}
}

// TestRmWarnsAboutItsOwn: rm SERVICE names only that service's running
// containers as kept, and rm -s SERVICE removes containers, never the
// project's network.
func TestRmWarnsAboutItsOwn(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	mustBerth(t, dir, name, nil, "stop", "worker")
	res := mustBerth(t, dir, name, nil, "rm", "-f", "worker")
	if strings.Contains(res.Stderr, name+"-web-1") {
		t.Errorf("rm worker warned about web:\n%s", res.Stderr)
	}
	expectStates(t, name, "rm worker", map[string]string{name + "-web-1": "running"})
	res = mustBerth(t, dir, name, nil, "rm", "-f", "web")
	if !strings.Contains(res.Stderr, "running containers are kept: ["+name+"-web-1]") {
		t.Errorf("rm web did not say web-1 runs:\n%s", res.Stderr)
	}
	mustBerth(t, dir, name, nil, "rm", "-f", "-s", "web")
	expectStates(t, name, "rm -s web", map[string]string{})
	if !exists(t, "/networks/"+name+"_default") {
		t.Errorf("rm -s web removed the project's network")
	}
}
