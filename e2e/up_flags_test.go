package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestUpFlags: each of up's flags that decides what is created, started
// or recreated does on the engine what it does with docker compose.
func TestUpFlags(t *testing.T) {
	dir, name := upProject(t)
	db, app := name+"-db-1", name+"-app-1"
	berth := func(env []string, args ...string) Result { t.Helper(); return mustBerth(t, dir, name, env, args...) }
	expect := func(step string, want map[string]string) { t.Helper(); expectStates(t, name, step, want) }

	plan := berth(nil, "--dry-run", "up", "-d").Stdout
	if !strings.Contains(plan, "create:"+db) || !strings.Contains(plan, "start:"+app) {
		t.Errorf("--dry-run printed no plan to create and start: %q", plan)
	}
	if len(projectContainers(t, name)) != 0 || exists(t, "/networks/"+name+"_default") {
		t.Fatal("--dry-run changed the engine")
	}

	berth(nil, "up", "-d", "--no-start")
	expect("--no-start", map[string]string{db: "created", app: "created"})
	berth(nil, "up", "-d", "--no-deps", "app")
	expect("--no-deps app", map[string]string{db: "created", app: "running"})
	berth(nil, "up", "-d")
	expect("up", map[string]string{db: "running", app: "running"})
	before := ids(t, name)

	berth([]string{"DB_GENERATION=2"}, "up", "-d", "--no-recreate")
	expectReplaced(t, "--no-recreate with db changed", before, ids(t, name))

	berth(nil, "up", "-d", "--force-recreate", "app")
	now := ids(t, name)
	expectReplaced(t, "--force-recreate app", before, now, app)

	before = now
	berth(nil, "up", "-d", "--always-recreate-deps", "app")
	now = ids(t, name)
	expectReplaced(t, "--always-recreate-deps app", before, now, db)

	execIn(t, now[db], "sh", "-c", "echo old > /anon/file")
	berth(nil, "up", "-d", "-V", "db")
	after := ids(t, name)
	expectReplaced(t, "-V db", now, after, db)
	if out := execIn(t, after[db], "sh", "-c", "cat /anon/file 2>&1 || true"); strings.Contains(out, "old") {
		t.Errorf("-V kept the anonymous volume's data: %q", out)
	}

	res := runBerth(t, dir, []string{"APP_IMAGE=berth-e2e-absent:1"}, "-p", name, "up", "-d", "--pull", "never")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "image berth-e2e-absent:1 is not on the engine, and --pull never forbids pulling it") {
		t.Errorf("--pull never with a missing image: %s", res)
	}
	expectReplaced(t, "a refused --pull never", after, ids(t, name))
}

// ids maps container name to id for the project.
func ids(t *testing.T, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range projectContainers(t, name) {
		out[c.Name] = c.ID
	}
	return out
}

// expectReplaced checks that exactly the named containers got new ids.
func expectReplaced(t *testing.T, step string, before, after map[string]string, replaced ...string) {
	t.Helper()
	if len(after) != len(before) {
		t.Fatalf("after %s: containers %v, before %v", step, after, before)
	}
	for name, id := range before {
		if want := slices.Contains(replaced, name); (after[name] != id) != want {
			t.Errorf("after %s: %s replaced = %v, want %v", step, name, after[name] != id, want)
		}
	}
}
