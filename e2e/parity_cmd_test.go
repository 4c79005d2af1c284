package e2e

import (
	"sort"
	"strings"
	"testing"
	"time"
)

// serviceStates reads the project's containers from the engine as
// "service=status" pairs, sorted: what each step below expects.
func serviceStates(t *testing.T, project string) string {
	t.Helper()
	var out []string
	for _, c := range projectContainers(t, project) {
		out = append(out, c.Config.Labels["com.docker.compose.service"]+"="+c.State.Status)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestCommandsByName: with -p and no compose file in reach, the lifecycle
// commands and ps work from what the engine's labels say, and down -v
// removes the project's network and volume; commands that need the model
// still say the file is missing.
func TestCommandsByName(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	away := t.TempDir()
	steps := []struct {
		args []string
		want string
		// notOut must not show in stderr (a warning the step must not give).
		notOut string
	}{
		{args: []string{"stop"}, want: "db=exited web=exited"},
		{args: []string{"start"}, want: "db=running web=running"},
		{args: []string{"pause", "web"}, want: "db=running web=paused"},
		{args: []string{"unpause"}, want: "db=running web=running"},
		{args: []string{"kill", "web"}, want: "db=running web=exited"},
		{args: []string{"restart"}, want: "db=running web=running"},
		{args: []string{"stop", "db"}, want: "db=exited web=running"},
		{args: []string{"rm", "-f", "db"}, want: "web=running", notOut: "running containers are kept"},
	}
	for _, st := range steps {
		res := runBerth(t, away, nil, append([]string{"-p", name}, st.args...)...)
		if res.ExitCode != 0 {
			t.Fatalf("%v by name: %s", st.args, res)
		}
		if st.notOut != "" && strings.Contains(res.Stderr, st.notOut) {
			t.Errorf("%v said %q: %s", st.args, st.notOut, res)
		}
		// A kill returns once the signal is sent; the exit follows.
		eventually(t, 10*time.Second, strings.Join(st.args, " "), func() (bool, string) {
			got := serviceStates(t, name)
			return got == st.want, got
		})
	}
	if res := runBerth(t, away, nil, "-p", name, "ps", "--services"); res.ExitCode != 0 || res.Stdout != "web\n" {
		t.Errorf("ps --services by name: %s", res)
	}
	for _, args := range [][]string{{"up", "-d"}, {"create"}, {"config"}} {
		res := runBerth(t, away, nil, append([]string{"-p", name}, args...)...)
		if res.ExitCode != 1 || !strings.Contains(res.Stderr, "no configuration file provided") {
			t.Errorf("%v without a compose file: %s", args, res)
		}
	}
	if res := runBerth(t, away, []string{"COMPOSE_PROJECT_NAME=" + name}, "down", "-v", "-t", "0"); res.ExitCode != 0 {
		t.Fatalf("down -v by COMPOSE_PROJECT_NAME: %s", res)
	}
	if got := serviceStates(t, name); got != "" {
		t.Errorf("containers left after down by name: %s", got)
	}
	for _, path := range []string{"/networks/" + name + "_default", "/volumes/" + name + "_data"} {
		if exists(t, path) {
			t.Errorf("%s left after down -v by name", path)
		}
	}
}

// TestOrphanEnvironment: COMPOSE_IGNORE_ORPHANS silences up about a
// dropped service's container, kill --remove-orphans kills it,
// COMPOSE_REMOVE_ORPHANS makes down remove it, and COMPOSE_STATUS_STDOUT
// moves progress to stdout.
func TestOrphanEnvironment(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, []string{"COMPOSE_STATUS_STDOUT=1"}, "-p", name, "up", "-d"); res.ExitCode != 0 ||
		!strings.Contains(res.Stdout, "Started") || strings.Contains(res.Stderr, "Started") {
		t.Fatalf("up with COMPOSE_STATUS_STDOUT=1, want progress on stdout: %s", res)
	}
	less := []string{"COMPOSE_FILE=without-web.yaml"}
	res := runBerth(t, dir, append(less, "COMPOSE_IGNORE_ORPHANS=true"), "-p", name, "up", "-d")
	if res.ExitCode != 0 || strings.Contains(res.Stderr, "orphan") {
		t.Errorf("up with COMPOSE_IGNORE_ORPHANS: %s", res)
	}
	res = runBerth(t, dir, append(less, "COMPOSE_IGNORE_ORPHANS=true"), "-p", name, "up", "-d", "--remove-orphans")
	if res.ExitCode != 1 || !strings.Contains(res.Stderr, "COMPOSE_IGNORE_ORPHANS") {
		t.Errorf("COMPOSE_IGNORE_ORPHANS with --remove-orphans must be refused: %s", res)
	}
	if res := runBerth(t, dir, less, "-p", name, "up", "-d"); res.ExitCode != 0 || !strings.Contains(res.Stderr, "orphan") {
		t.Errorf("up without COMPOSE_IGNORE_ORPHANS must warn about the orphan: %s", res)
	}
	if got := serviceStates(t, name); got != "db=running web=running" {
		t.Fatalf("the orphan must survive ups that do not remove orphans: %s", got)
	}
	if res := runBerth(t, dir, less, "-p", name, "kill", "--remove-orphans"); res.ExitCode != 0 {
		t.Fatalf("kill --remove-orphans: %s", res)
	}
	eventually(t, 10*time.Second, "kill --remove-orphans kills the orphan", func() (bool, string) {
		got := serviceStates(t, name)
		return got == "db=exited web=exited", got
	})
	if res := runBerth(t, dir, append(less, "COMPOSE_REMOVE_ORPHANS=true"), "-p", name, "down"); res.ExitCode != 0 {
		t.Fatalf("down with COMPOSE_REMOVE_ORPHANS: %s", res)
	}
	if got := serviceStates(t, name); got != "" {
		t.Errorf("down with COMPOSE_REMOVE_ORPHANS left %s", got)
	}
}

// TestSharedContainerName: two services with one container_name are
// refused, naming both, before anything exists on the engine.
func TestSharedContainerName(t *testing.T) {
	dir, name := upProject(t)
	for _, args := range [][]string{{"up", "-d"}, {"create"}} {
		res := runBerth(t, dir, nil, append([]string{"-p", name}, args...)...)
		if res.ExitCode != 1 || !strings.Contains(res.Stderr, `services api and web all set container_name "berth-e2e-shared-name"`) {
			t.Errorf("%v: %s", args, res)
		}
	}
	if got := serviceStates(t, name); got != "" {
		t.Errorf("containers after the refusal: %s", got)
	}
	if exists(t, "/networks/"+name+"_default") || exists(t, "/containers/berth-e2e-shared-name/json") {
		t.Error("the refused up left a network or the container behind")
	}
}
