package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// oneoffInfo is the part of a container's inspect the run checks read.
type oneoffInfo struct {
	ID         string
	Name       string
	Config     struct{ Labels map[string]string }
	State      struct{ Status string }
	HostConfig struct {
		PortBindings    map[string][]struct{ HostIp, HostPort string }
		CapAdd, CapDrop []string
	}
	NetworkSettings struct {
		Networks map[string]struct{ Aliases []string }
	}
	Mounts []struct{ Type, Source, Destination string }
}

// oneoffContainers lists the project's one-off containers (those of
// `run`) straight from the engine, by their labels.
func oneoffContainers(t *testing.T, project string) []oneoffInfo {
	t.Helper()
	filter := url.QueryEscape(fmt.Sprintf(`{"label":["com.docker.compose.project=%s","com.docker.compose.oneoff=True"]}`, project))
	code, body := dockerAPI(t, "GET", "/containers/json?all=1&filters="+filter)
	if code != 200 {
		t.Fatalf("listing one-off containers: %d %s", code, body)
	}
	var list []struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	var out []oneoffInfo
	for _, c := range list {
		out = append(out, inspectOneoff(t, c.ID))
	}
	return out
}

// oneoffNames are the names and states of cs, for failure messages.
func oneoffNames(cs []oneoffInfo) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name+" ("+c.State.Status+")")
	}
	return out
}

func inspectOneoff(t *testing.T, id string) oneoffInfo {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/containers/"+id+"/json")
	if code != 200 {
		t.Fatalf("inspecting %s: %d %s", id, code, body)
	}
	var c oneoffInfo
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	c.Name = strings.TrimPrefix(c.Name, "/")
	return c
}

// TestOneoffRunDependencies: run passes its command's exit code on, --rm
// leaves no container behind, --no-deps creates no dependency, and
// without it run waits for a healthchecked dependency to be healthy
// before its command starts; an unknown service is refused by name.
func TestOneoffRunDependencies(t *testing.T) {
	dir, name := upProject(t)
	run := func(args ...string) Result {
		t.Helper()
		return runBerth(t, dir, nil, append([]string{"-p", name, "run"}, args...)...)
	}
	if res := run("--rm", "--no-deps", "app", "sh", "-c", "exit 3"); res.ExitCode != 3 {
		t.Errorf("run of a command exiting 3: %s", res)
	}
	if res := run("--rm", "--no-deps", "app", "true"); res.ExitCode != 0 {
		t.Errorf("run of a command exiting 0: %s", res)
	}
	if cs := oneoffContainers(t, name); len(cs) != 0 {
		t.Errorf("one-off containers left after run --rm: %v", oneoffNames(cs))
	}
	if s := states(t, name); len(s) != 0 {
		t.Errorf("run --no-deps created %v, want no container of db", s)
	}
	// Without --rm the container stays: the label query above sees them.
	if res := run("--no-deps", "app", "true"); res.ExitCode != 0 {
		t.Fatalf("run without --rm: %s", res)
	}
	if cs := oneoffContainers(t, name); len(cs) != 1 || cs[0].State.Status != "exited" {
		t.Errorf("after run without --rm: one-off containers %v, want one, exited", oneoffNames(cs))
	}

	// db writes /shared/ready 2 s after it starts; only a run that waited
	// for its healthcheck finds the file.
	started := time.Now()
	if res := run("--rm", "app", "test", "-f", "/shared/ready"); res.ExitCode != 0 {
		t.Errorf("run with a healthchecked dependency: the command did not find /shared/ready, so it did not wait: %s", res)
	}
	if d := time.Since(started); d < 2*time.Second {
		t.Errorf("run took %s, less than db needs to become healthy", d)
	}
	db := containerNamed(t, name, name+"-db-1")
	if db.State.Health == nil || db.State.Health.Status != "healthy" {
		t.Errorf("db after run: %+v, want running and healthy", db.State)
	}
	if cs := oneoffContainers(t, name); len(cs) != 1 {
		t.Errorf("one-off containers after run --rm: %v, want only the one kept before", oneoffNames(cs))
	}

	res := run("--rm", "nosuch", "true")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "nosuch") {
		t.Errorf("run of an unknown service: want a failure naming it: %s", res)
	}
}

// TestOneoffRunFlags: run's flags change the one-off container as docker
// compose's do: environment (-e, --env-from-file), user, folder,
// entrypoint, volumes (a relative path taken from the project folder),
// ports (-p, --service-ports), network aliases, capabilities, labels,
// name; -T passes piped input; -d prints the generated name and down
// removes one-off containers.
func TestOneoffRunFlags(t *testing.T) {
	dir, name := upProject(t)
	run := func(env []string, stdin string, args ...string) Result {
		t.Helper()
		res := runBerthInput(t, dir, env, stdin, append([]string{"-p", name, "run"}, args...)...)
		if res.ExitCode != 0 {
			t.Fatalf("run %s: %s", strings.Join(args, " "), res)
		}
		return res
	}

	res := run([]string{"PASSED=passed"}, "", "--rm", "-e", "FROM_FLAG=flag", "-e", "PASSED", "-e", "BOTH=flag",
		"--env-from-file", "vars.env", "app", "sh", "-c", "echo $FROM_SERVICE $FROM_FILE $FROM_FLAG $PASSED $OVERRIDDEN $BOTH")
	if want := "service file flag passed file flag\n"; res.Stdout != want {
		t.Errorf("environment: %q, want %q (service, file, flag, passed on, file over service, flag over file)", res.Stdout, want)
	}
	res = run(nil, "", "--rm", "-u", "1234:5678", "-w", "/tmp", "app", "sh", "-c", "id -u; id -g; pwd")
	if want := "1234\n5678\n/tmp\n"; res.Stdout != want {
		t.Errorf("-u 1234:5678 -w /tmp: %q, want %q", res.Stdout, want)
	}
	res = run(nil, "", "--rm", "--entrypoint", "echo entry", "app", "more", "words")
	if want := "entry more words\n"; res.Stdout != want {
		t.Errorf("--entrypoint: %q, want %q", res.Stdout, want)
	}
	abs := t.TempDir()
	res = run(nil, "", "--rm", "-v", "./data:/data", "-v", abs+":/abs", "app",
		"sh", "-c", "cat /data/hello.txt; echo back > /data/back.txt; echo abs > /abs/abs.txt")
	if res.Stdout != "hello from the host\n" {
		t.Errorf("-v ./data:/data: the container read %q, want the project folder's data/hello.txt", res.Stdout)
	}
	for file, want := range map[string]string{filepath.Join(dir, "data", "back.txt"): "back\n", filepath.Join(abs, "abs.txt"): "abs\n"} {
		if got, err := os.ReadFile(file); err != nil || string(got) != want {
			t.Errorf("%s written through the bind: %q, %v; want %q", file, got, err, want)
		}
	}
	if res = run(nil, "hi\n", "--rm", "-T", "app", "cat"); res.Stdout != "hi\n" {
		t.Errorf("echo hi | run -T app cat: %q, want hi", res.Stdout)
	}

	res = run(nil, "", "-d", "-l", "team=blue", "-p", "127.0.0.1::80", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "app")
	generated := strings.TrimSuffix(res.Stdout, "\n")
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(name) + `-app-run-[0-9a-f]{12}$`).MatchString(generated) {
		t.Fatalf("run -d printed %q, want %s-app-run-<12 hex digits>", res.Stdout, name)
	}
	c := inspectOneoff(t, generated)
	checkOneoffLabels(t, c)
	if c.Config.Labels["team"] != "blue" {
		t.Errorf("-l team=blue: labels %v", c.Config.Labels)
	}
	if b := c.HostConfig.PortBindings["80/tcp"]; len(b) != 1 || b[0].HostIp != "127.0.0.1" {
		t.Errorf("-p 127.0.0.1::80: port bindings %+v", c.HostConfig.PortBindings)
	}
	if _, ok := c.HostConfig.PortBindings["8080/tcp"]; ok {
		t.Errorf("without --service-ports the service's port 8080 is published: %+v", c.HostConfig.PortBindings)
	}
	if !hasCap(c.HostConfig.CapAdd, "NET_ADMIN") || !hasCap(c.HostConfig.CapDrop, "CHOWN") {
		t.Errorf("--cap-add NET_ADMIN --cap-drop CHOWN: CapAdd %v, CapDrop %v", c.HostConfig.CapAdd, c.HostConfig.CapDrop)
	}
	aliases := c.NetworkSettings.Networks[name+"_default"].Aliases
	if slices.Contains(aliases, "app") || slices.Contains(aliases, "app-alias") {
		t.Errorf("without --use-aliases the one-off answers to the service's names: aliases %v", aliases)
	}

	custom := name + "-custom"
	res = run(nil, "", "-d", "--name", custom, "--service-ports", "--use-aliases", "app")
	if res.Stdout != custom+"\n" {
		t.Errorf("run -d --name %s printed %q", custom, res.Stdout)
	}
	c = inspectOneoff(t, custom)
	checkOneoffLabels(t, c)
	if b := c.HostConfig.PortBindings["8080/tcp"]; len(b) != 1 {
		t.Errorf("--service-ports: port bindings %+v, want the service's 8080", c.HostConfig.PortBindings)
	}
	aliases = c.NetworkSettings.Networks[name+"_default"].Aliases
	if !slices.Contains(aliases, "app") || !slices.Contains(aliases, "app-alias") {
		t.Errorf("--use-aliases: aliases %v, want app and app-alias among them", aliases)
	}

	if cs := oneoffContainers(t, name); len(cs) != 2 {
		t.Fatalf("one-off containers before down: %v, want the 2 of run -d", oneoffNames(cs))
	}
	mustBerth(t, dir, name, nil, "down", "-t", "0")
	if s := states(t, name); len(s) != 0 {
		t.Errorf("down left %v, want the one-off containers removed too", s)
	}
}

// hasCap reports whether caps holds capability name, which engines from
// 20.10 on store with a CAP_ prefix.
func hasCap(caps []string, name string) bool {
	return slices.Contains(caps, name) || slices.Contains(caps, "CAP_"+name)
}

// checkOneoffLabels checks the labels that make a container a one-off:
// oneoff=True and a slug of 64 hex digits, whose first 12 end a
// generated name.
func checkOneoffLabels(t *testing.T, c oneoffInfo) {
	t.Helper()
	labels := c.Config.Labels
	slug := labels["com.docker.compose.slug"]
	if labels["com.docker.compose.oneoff"] != "True" || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(slug) {
		t.Errorf("%s: oneoff label %q, slug %q; want True and 64 hex digits", c.Name, labels["com.docker.compose.oneoff"], slug)
		return
	}
	if strings.Contains(c.Name, "-run-") && !strings.HasSuffix(c.Name, "-run-"+slug[:12]) {
		t.Errorf("%s: name does not end with the slug's first 12 digits %s", c.Name, slug[:12])
	}
}

// TestOneoffRunTerminal: `run -t` in a real terminal (a tmux pane) gives
// the container a terminal: what is typed runs and shows, its size is
// the pane's and follows a resize, `exit 7` ends berth with 7, --rm
// removes the container, and the pane's terminal is left as it was.
func TestOneoffRunTerminal(t *testing.T) {
	tmux := ensureTmux(t)
	dir, name := upProject(t)
	p := startTTYPane(t, tmux, dir, 100, 30, "-p", name, "run", "--rm", "-t", "app", "sh")
	checkTerminalSession(t, p)
	eventually(t, 10*time.Second, "run --rm to remove its container", func() (bool, string) {
		cs := oneoffContainers(t, name)
		return len(cs) == 0, fmt.Sprint(oneoffNames(cs))
	})
}
