package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"
)

// containerInfo is the part of the engine's container inspect the checks read.
type containerInfo struct {
	ID     string
	Name   string
	Config struct{ Labels map[string]string }
	State  struct {
		Status    string
		ExitCode  int
		StartedAt time.Time
		Health    *struct {
			Status string
			Log    []struct {
				ExitCode int
				End      time.Time
			}
		}
	}
}

// projectContainers lists the project's containers straight from the engine.
func projectContainers(t *testing.T, projectName string) []containerInfo {
	t.Helper()
	filter := url.QueryEscape(fmt.Sprintf(`{"label":["com.docker.compose.project=%s"]}`, projectName))
	code, body := dockerAPI(t, "GET", "/containers/json?all=1&filters="+filter)
	if code != 200 {
		t.Fatalf("listing containers: %d %s", code, body)
	}
	var list []struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	var out []containerInfo
	for _, c := range list {
		out = append(out, inspectContainer(t, c.ID))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func inspectContainer(t *testing.T, id string) containerInfo {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/containers/"+id+"/json")
	if code != 200 {
		t.Fatalf("inspecting %s: %d %s", id, code, body)
	}
	var c containerInfo
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	c.Name = strings.TrimPrefix(c.Name, "/")
	return c
}

func exists(t *testing.T, path string) bool {
	t.Helper()
	code, _ := dockerAPI(t, "GET", path)
	return code == 200
}

// upProject copies testdata/<test name>, names the project uniquely and
// takes everything down (with volumes) when the test ends.
func upProject(t *testing.T) (dir, name string) {
	t.Helper()
	requireEngine(t)
	dir = projectDir(t, t.Name())
	name = uniqueProjectName(t)
	t.Cleanup(func() {
		if res := runBerth(t, dir, nil, "-p", name, "down", "-v", "-t", "0", "--remove-orphans"); res.ExitCode != 0 {
			t.Errorf("cleanup down -v: %s", res)
		}
	})
	return dir, name
}

// TestUpDown: up creates the project with docker compose's names and labels,
// a healthchecked dependency is healthy before its dependent starts, a second
// up changes nothing, and down removes what up made but the named volume.
func TestUpDown(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	cs := projectContainers(t, name)
	if len(cs) != 2 || cs[0].Name != name+"-app-1" || cs[1].Name != name+"-db-1" {
		t.Fatalf("containers = %+v", cs)
	}
	app, db := cs[0], cs[1]
	for _, c := range cs {
		if c.State.Status != "running" {
			t.Errorf("%s is %s", c.Name, c.State.Status)
		}
		for _, label := range []string{"project", "service", "container-number", "oneoff", "config-hash", "project.working_dir", "project.config_files", "image", "version", "depends_on"} {
			if _, ok := c.Config.Labels["com.docker.compose."+label]; !ok {
				t.Errorf("%s lacks label com.docker.compose.%s", c.Name, label)
			}
		}
	}
	checkHashMatchesConfig(t, dir, name, db)
	if !healthyBefore(db, app.State.StartedAt) {
		t.Errorf("app started at %s, before db was first healthy (%+v)", app.State.StartedAt, db.State.Health)
	}
	for _, path := range []string{"/networks/" + name + "_default", "/networks/" + name + "_extra", "/volumes/" + name + "_data"} {
		if !exists(t, path) {
			t.Errorf("%s missing after up", path)
		}
	}

	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("second up: %s", res)
	}
	again := projectContainers(t, name)
	if len(again) != 2 || again[0].ID != app.ID || again[1].ID != db.ID {
		t.Errorf("second up replaced containers: before %s %s, after %+v", app.ID, db.ID, again)
	}

	if res := runBerth(t, dir, nil, "-p", name, "down", "-t", "1"); res.ExitCode != 0 {
		t.Fatalf("down: %s", res)
	}
	if left := projectContainers(t, name); len(left) != 0 {
		t.Errorf("containers left after down: %d", len(left))
	}
	if exists(t, "/networks/"+name+"_default") || exists(t, "/networks/"+name+"_extra") {
		t.Error("networks left after down")
	}
	if !exists(t, "/volumes/"+name+"_data") {
		t.Error("down without -v removed the named volume")
	}
	if res := runBerth(t, dir, nil, "-p", name, "down", "-v"); res.ExitCode != 0 || exists(t, "/volumes/"+name+"_data") {
		t.Errorf("down -v kept the named volume: %s", res)
	}
}

// checkHashMatchesConfig: the config-hash label is what `config --hash`
// prints, so docker compose would not recreate berth's containers.
func checkHashMatchesConfig(t *testing.T, dir, name string, c containerInfo) {
	t.Helper()
	res := runBerth(t, dir, nil, "-p", name, "config", "--hash", "db")
	want := "db " + c.Config.Labels["com.docker.compose.config-hash"] + "\n"
	if res.Stdout != want {
		t.Errorf("config --hash db = %q, label says %q", res.Stdout, want)
	}
}

func healthyBefore(c containerInfo, t time.Time) bool {
	if c.State.Health == nil {
		return false
	}
	for _, l := range c.State.Health.Log {
		if l.ExitCode == 0 {
			return !l.End.After(t)
		}
	}
	return false
}

// TestRecreateKeepsData: a changed service is recreated, and what it wrote
// to its named and anonymous volumes is still there.
func TestRecreateKeepsData(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	before := projectContainers(t, name)[0]
	execIn(t, before.ID, "sh", "-c", "echo kept > /named/file && echo kept > /anonymous/file")

	if res := runBerth(t, dir, []string{"GENERATION=2"}, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up after a change: %s", res)
	}
	after := projectContainers(t, name)
	if len(after) != 1 || after[0].ID == before.ID || after[0].Name != before.Name {
		t.Fatalf("want one recreated container named %s, got %+v", before.Name, after)
	}
	if out := execIn(t, after[0].ID, "cat", "/named/file", "/anonymous/file"); out != "kept\nkept\n" {
		t.Errorf("data after recreate = %q", out)
	}

	anonymous := anonymousVolume(t, after[0].ID, "/anonymous")
	if res := runBerth(t, dir, nil, "-p", name, "down", "-v"); res.ExitCode != 0 {
		t.Fatalf("down -v: %s", res)
	}
	if exists(t, "/volumes/"+anonymous) || exists(t, "/volumes/"+name+"_named") {
		t.Error("down -v left the anonymous or the named volume")
	}
}

// anonymousVolume names the volume mounted at dest in a container.
func anonymousVolume(t *testing.T, id, dest string) string {
	t.Helper()
	_, body := dockerAPI(t, "GET", "/containers/"+id+"/json")
	var c struct {
		Mounts []struct{ Name, Destination string }
	}
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Mounts {
		if m.Destination == dest {
			return m.Name
		}
	}
	t.Fatalf("no volume at %s in %s", dest, id)
	return ""
}

// TestCompletedDependencyFails: a service_completed_successfully dependency
// that exits non-zero stops up with the service and exit code, and its
// dependent never starts.
func TestCompletedDependencyFails(t *testing.T) {
	dir, name := upProject(t)
	res := runBerth(t, dir, nil, "-p", name, "up", "-d")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "migrate") || !strings.Contains(res.Stderr, "exited with code 3") {
		t.Fatalf("want a failure naming migrate and code 3: %s", res)
	}
	for _, c := range projectContainers(t, name) {
		if c.Config.Labels["com.docker.compose.service"] == "app" && !c.State.StartedAt.IsZero() && c.State.StartedAt.Year() > 1 {
			t.Errorf("app started although migrate failed: %+v", c.State)
		}
	}
}

// mustBerth runs berth on project name and fails the test unless it succeeds.
func mustBerth(t *testing.T, dir, name string, env []string, args ...string) Result {
	t.Helper()
	res := runBerth(t, dir, env, append([]string{"-p", name}, args...)...)
	if res.ExitCode != 0 {
		t.Fatalf("berth %s: %s", strings.Join(args, " "), res)
	}
	return res
}

// expectStates checks the project's containers and their states after step.
func expectStates(t *testing.T, name, step string, want map[string]string) {
	t.Helper()
	if got := states(t, name); !maps.Equal(got, want) {
		t.Fatalf("after %s: states = %v, want %v", step, got, want)
	}
}

// states maps container name to engine state for the project.
func states(t *testing.T, name string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, c := range projectContainers(t, name) {
		out[c.Name] = c.State.Status
	}
	return out
}

// TestLifecycleCommands: create, start, stop, restart, pause, unpause,
// kill, rm, scale and ps each change (or report) engine state as docker
// compose's do.
func TestLifecycleCommands(t *testing.T) {
	dir, name := upProject(t)
	web, db := name+"-web-1", name+"-db-1"
	berth := func(args ...string) Result { t.Helper(); return mustBerth(t, dir, name, nil, args...) }
	expect := func(step string, want map[string]string) { t.Helper(); expectStates(t, name, step, want) }

	berth("create")
	expect("create", map[string]string{db: "created", web: "created"})
	berth("start")
	expect("start", map[string]string{db: "running", web: "running"})
	if out := berth("ps", "--format", "{{.Name}} {{.Service}} {{.State}}").Stdout; out != db+" db running\n"+web+" web running\n" {
		t.Errorf("ps --format = %q", out)
	}
	berth("stop", "-t", "1", "web")
	expect("stop web", map[string]string{db: "running", web: "exited"})
	if out := berth("ps", "-q").Stdout; strings.Count(out, "\n") != 1 {
		t.Errorf("ps -q lists %q, want only the running db", out)
	}
	if out := berth("ps", "-a", "--services").Stdout; out != "db\nweb\n" {
		t.Errorf("ps -a --services = %q", out)
	}
	if out := berth("ps", "-a", "--status", "exited", "--format", "{{.Name}}").Stdout; out != web+"\n" {
		t.Errorf("ps -a --status exited = %q, want the stopped web", out)
	}
	if out := berth("ps", "--filter", "status=running", "-q").Stdout; len(out) != 65 {
		t.Errorf("ps --filter status=running -q = %q, want db's full id alone, as docker compose prints it", out)
	}
	table, full := berth("ps", "-a").Stdout, berth("ps", "-a", "--no-trunc").Stdout
	header, _, _ := strings.Cut(table, "\n")
	if strings.Join(strings.Fields(header), " ") != "NAME IMAGE COMMAND SERVICE CREATED STATUS PORTS" {
		t.Errorf("ps table header = %q, want docker compose's columns", header)
	}
	if !strings.Contains(table, `"sh -c 'exec sleep 3…"`) || !strings.Contains(full, `"sh -c 'exec sleep 3600'"`) {
		t.Errorf("COMMAND column: want web's cut in ps, whole with --no-trunc:\n%s\n%s", table, full)
	}
	berth("restart", "-t", "1")
	expect("restart", map[string]string{db: "running", web: "running"})
	berth("pause", "db")
	expect("pause", map[string]string{db: "paused", web: "running"})
	berth("unpause", "db")
	berth("kill", "-s", "SIGKILL", "web")
	expect("kill", map[string]string{db: "running", web: "exited"})
	berth("rm", "-f", "web")
	expect("rm", map[string]string{db: "running"})
	berth("scale", "db=2")
	expect("scale", map[string]string{db: "running", name + "-db-2": "running"})
	berth("up", "-d", "--scale", "db=1")
	expect("up --scale db=1", map[string]string{db: "running", web: "running"})
}

// TestWaitExplainsFailure: `up --wait` on a service that turns unhealthy
// fails and says why: the service, its health, the failing probe's output
// and the container's last log lines.
func TestWaitExplainsFailure(t *testing.T) {
	dir, name := upProject(t)
	res := runBerth(t, dir, nil, "-p", name, "up", "--wait", "--wait-timeout", "60")
	if res.ExitCode == 0 {
		t.Fatalf("up --wait succeeded with an unhealthy service: %s", res)
	}
	for _, want := range []string{"container " + name + "-sick-1 is unhealthy", "health unhealthy", "probe failed on purpose", "starting the sick service"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, res)
		}
	}
	if strings.Contains(res.Stderr, "container "+name+"-fine-1") {
		t.Errorf("the healthy service is reported too: %s", res)
	}
}

// TestChangedNetworkRecreated: a network whose declaration changed is made
// again, as docker compose does; its container is reconnected and started
// again, not recreated.
func TestChangedNetworkRecreated(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	before := projectContainers(t, name)
	_, oldNet := dockerAPI(t, "GET", "/networks/"+name+"_back")
	mustBerth(t, dir, name, []string{"TIER=two"}, "up", "-d")
	after := projectContainers(t, name)
	if len(after) != 1 || after[0].ID != before[0].ID || after[0].State.Status != "running" {
		t.Fatalf("the container was not kept running: %+v", after)
	}
	var net struct {
		ID         string
		Labels     map[string]string
		Containers map[string]any
	}
	code, body := dockerAPI(t, "GET", "/networks/"+name+"_back")
	if code != 200 || json.Unmarshal(body, &net) != nil {
		t.Fatalf("network %s_back: %d %s", name, code, body)
	}
	if strings.Contains(string(oldNet), net.ID) || net.Labels["tier"] != "two" {
		t.Errorf("network not made again from the new declaration: %s", body)
	}
	if _, ok := net.Containers[after[0].ID]; !ok {
		t.Errorf("container not reconnected to the new network: %s", body)
	}
	if !after[0].State.StartedAt.After(before[0].State.StartedAt) {
		t.Errorf("container not started again after the reconnect")
	}
}

// TestChangedVolumeAsks: a volume whose declaration changed is kept, with
// a warning, when nobody says yes (no terminal here); with -y it is made
// again and its data is gone.
func TestChangedVolumeAsks(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	app := containerNamed(t, name, name+"-app-1")
	execIn(t, app.ID, "sh", "-c", "echo old > /data/marker")

	res := mustBerth(t, dir, name, []string{"TIER=two"}, "up", "-d")
	if !strings.Contains(res.Stderr, "volume "+name+"_data exists with a configuration other than the compose file's; it is kept") {
		t.Errorf("no warning about the kept volume:\n%s", res.Stderr)
	}
	if kept := containerNamed(t, name, name+"-app-1"); kept.ID != app.ID || strings.TrimSpace(execIn(t, kept.ID, "cat", "/data/marker")) != "old" {
		t.Fatalf("without a yes, the container or its data changed")
	}

	mustBerth(t, dir, name, []string{"TIER=two"}, "up", "-d", "-y")
	var vol struct{ Labels map[string]string }
	code, body := dockerAPI(t, "GET", "/volumes/"+name+"_data")
	if code != 200 || json.Unmarshal(body, &vol) != nil || vol.Labels["tier"] != "two" {
		t.Fatalf("volume not made again: %d %s", code, body)
	}
	fresh := containerNamed(t, name, name+"-app-1")
	if fresh.ID == app.ID || fresh.State.Status != "running" {
		t.Fatalf("container not replaced onto the new volume: %+v", fresh)
	}
	if out := execIn(t, fresh.ID, "sh", "-c", "cat /data/marker 2>/dev/null || echo none"); strings.TrimSpace(out) != "none" {
		t.Errorf("data of the old volume still there: %q", out)
	}
}

// TestDownRemovesImages: down --rmi all removes the services' images (a
// throwaway tag of busybox here) and leaves other images alone.
func TestDownRemovesImages(t *testing.T) {
	dir, name := upProject(t)
	repo := name + "-img"
	if code, body := dockerAPI(t, "POST", "/images/busybox:latest/tag?repo="+repo+"&tag=1"); code != 201 {
		t.Fatalf("tagging busybox: %d %s", code, body)
	}
	env := []string{"APP_IMAGE=" + repo + ":1"}
	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	if res := runBerth(t, dir, env, "-p", name, "down", "--rmi", "all", "-t", "0"); res.ExitCode != 0 {
		t.Fatalf("down --rmi all: %s", res)
	}
	if exists(t, "/images/"+repo+":1/json") {
		t.Error("the service's image is still there")
	}
	if !exists(t, "/images/busybox:latest/json") {
		t.Error("down --rmi removed busybox itself")
	}
}

// TestServiceReferences: a service using another's container (network_mode
// service:, volumes_from) carries docker compose's config hash, which has
// that container's id in it rather than the reference as written; an
// unchanged project stays as it is, and replacing the shared container
// replaces its user, which then shares the new one.
func TestServiceReferences(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	app, vpn := sharing(t, name)
	written := runBerth(t, dir, nil, "-p", name, "config", "--hash", "app").Stdout
	if label := app.Config.Labels["com.docker.compose.config-hash"]; written == "app "+label+"\n" || label == "" {
		t.Errorf("app's config-hash %q is the hash of the file as written; compose hashes it with vpn's container id", label)
	}

	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("second up: %s", res)
	}
	if again, _ := sharing(t, name); again.ID != app.ID {
		t.Errorf("unchanged project: app replaced (%s -> %s)", app.ID, again.ID)
	}

	if res := runBerth(t, dir, []string{"GENERATION=2"}, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up after vpn changed: %s", res)
	}
	newApp, newVPN := sharing(t, name)
	if newVPN.ID == vpn.ID || newApp.ID == app.ID {
		t.Errorf("vpn changed: want vpn and app replaced, got vpn %s -> %s, app %s -> %s", vpn.ID, newVPN.ID, app.ID, newApp.ID)
	}
}

// sharing returns app and vpn, after checking that app runs in vpn's
// network namespace (same MAC address) and sees vpn's volume.
func sharing(t *testing.T, name string) (app, vpn containerInfo) {
	t.Helper()
	cs := projectContainers(t, name)
	if len(cs) != 2 || cs[0].Name != name+"-app-1" || cs[1].Name != name+"-vpn-1" {
		t.Fatalf("containers = %+v", cs)
	}
	app, vpn = cs[0], cs[1]
	mac := "cat /sys/class/net/eth0/address"
	if a, v := execIn(t, app.ID, "sh", "-c", mac), execIn(t, vpn.ID, "sh", "-c", mac); a != v || a == "" {
		t.Errorf("app's eth0 is %q, vpn's %q: not one network namespace", a, v)
	}
	eventually(t, 10*time.Second, "vpn's file seen from app", func() (bool, string) {
		out := execIn(t, app.ID, "cat", "/shared/file")
		return out == "from-vpn\n", out
	})
	return app, vpn
}

// TestDependencyRestart: when db, on which app depends with `restart:
// true`, is recreated, app is restarted (same container, started again
// after the new db), not recreated.
func TestDependencyRestart(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	app := inspectContainer(t, name+"-app-1")
	mustBerth(t, dir, name, []string{"GENERATION=2"}, "up", "-d")
	newApp, newDB := inspectContainer(t, name+"-app-1"), inspectContainer(t, name+"-db-1")
	switch {
	case newApp.ID != app.ID:
		t.Errorf("app was recreated (%s -> %s); restart: true restarts it", app.ID, newApp.ID)
	case newApp.State.Status != "running" || !newApp.State.StartedAt.After(app.State.StartedAt):
		t.Errorf("app was not restarted: %+v, started %s before", newApp.State, app.State.StartedAt)
	case newApp.State.StartedAt.Before(newDB.State.StartedAt):
		t.Errorf("app started at %s, before the new db (%s)", newApp.State.StartedAt, newDB.State.StartedAt)
	}
}
