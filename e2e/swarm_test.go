package e2e

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSwarmHello: examples/hello deploys to a one-node swarm in
// depends_on order, docker's stack commands see it, a second deploy sends
// nothing, and removing it removes exactly what berth made.
func TestSwarmHello(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hello")
	copyTree(t, filepath.Join("..", "examples", "hello"), dir)
	dir, ns := swarmProject(t, dir)
	env := []string{fmt.Sprintf("HELLO_PORT=%d", 20000+rand.IntN(10000))}

	sentinel := "e2e-sentinel-" + ns
	if code, body := dockerAPIJSON(t, "POST", "/configs/create", map[string]any{"Name": sentinel, "Data": "c2VudGluZWw="}); code != 201 {
		t.Fatalf("creating the sentinel config: %d %s", code, body)
	}
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/configs/"+sentinel) })

	if res := runBerth(t, dir, env, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
		t.Fatalf("swarm up: %s", res)
	}
	services := stackServices(t, ns)
	var names []string
	versions := map[string]uint64{}
	for _, s := range services {
		names = append(names, s.Spec.Name)
		versions[s.ID] = s.Version.Index
		if s.Spec.Labels["com.docker.stack.namespace"] != ns {
			t.Errorf("service %s has labels %v", s.Spec.Name, s.Spec.Labels)
		}
	}
	if want := []string{ns + "_content", ns + "_db", ns + "_web", ns + "_worker"}; strings.Join(names, " ") != strings.Join(want, " ") {
		t.Fatalf("services %v, want %v", names, want)
	}
	for _, name := range []string{"db", "web", "worker"} {
		if n := len(runningTasks(serviceTasks(t, stackService(t, ns, name).ID))); n != 1 {
			t.Errorf("service %s has %d running tasks after --wait, want 1", name, n)
		}
	}
	if ps := dockerCLI(t, "stack", "ps", ns); !strings.Contains(ps, ns+"_web.1") || !strings.Contains(ps, "Running") {
		t.Errorf("docker stack ps does not list berth's tasks:\n%s", ps)
	}

	t.Run("a second deploy changes nothing", func(t *testing.T) {
		res := runBerth(t, dir, env, "--dry-run", "-p", ns, "swarm", "up")
		if res.ExitCode != 0 || strings.Contains(res.Stdout, "create-") || strings.Contains(res.Stdout, "update-") {
			t.Errorf("dry run of an unchanged project: %s", res)
		}
		if res := runBerth(t, dir, env, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
			t.Fatalf("second swarm up: %s", res)
		}
		for _, s := range stackServices(t, ns) {
			if s.Version.Index != versions[s.ID] {
				t.Errorf("service %s went from version %d to %d: an update was sent", s.Spec.Name, versions[s.ID], s.Version.Index)
			}
		}
	})

	t.Run("services, tasks and logs", func(t *testing.T) {
		res := runBerth(t, dir, env, "-p", ns, "swarm", "services")
		if res.ExitCode != 0 || !strings.Contains(res.Stdout, ns+"_worker") || !strings.Contains(res.Stdout, "1/1") {
			t.Errorf("swarm services: %s", res)
		}
		res = runBerth(t, dir, env, "-p", ns, "swarm", "ps", "web")
		if res.ExitCode != 0 || !strings.Contains(res.Stdout, ns+"_web.1") || strings.Contains(res.Stdout, ns+"_db") {
			t.Errorf("swarm ps web: %s", res)
		}
		// The worker writes a line every 5 s, fetched or not: services reach
		// each other by virtual IP only where the kernel has IPVS, which the
		// test machine lacks (TestSwarmTwoNodes crosses the overlay by dnsrr).
		eventually(t, 30*time.Second, "the worker's output in swarm logs", func() (bool, string) {
			res := runBerth(t, dir, env, "-p", ns, "swarm", "logs", "--tail", "5", "worker")
			return strings.Contains(res.Stdout+res.Stderr, "worker  | "), res.String()
		})
	})

	if res := runBerth(t, dir, env, "-p", ns, "swarm", "down"); res.ExitCode != 0 {
		t.Fatalf("swarm down: %s", res)
	}
	eventually(t, 30*time.Second, "the stack gone", func() (bool, string) {
		left := stackObjects(t, ns)
		// A completed job's container too: the swarm itself leaves it.
		_, containers := dockerAPI(t, "GET", "/containers/json?all=1&filters="+labelFilter("com.docker.stack.namespace="+ns))
		return len(stackServices(t, ns)) == 0 && len(left) == 0 && string(containers) == "[]\n", fmt.Sprint(left, string(containers))
	})
	if code, _ := dockerAPI(t, "GET", "/configs/"+sentinel); code != 200 {
		t.Errorf("swarm down removed a config outside the stack: %d", code)
	}
}

// TestSwarmRollingUpdate: a changed environment updates the one service,
// one task at a time with the configured delay, and the plan says why.
func TestSwarmRollingUpdate(t *testing.T) {
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmRollingUpdate"))
	if res := runBerth(t, dir, []string{"COLOUR=blue"}, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
		t.Fatalf("swarm up: %s", res)
	}
	before := stackService(t, ns, "app")

	res := runBerth(t, dir, []string{"COLOUR=red"}, "--dry-run", "-p", ns, "swarm", "up")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "update-service:app (environment changed)") {
		t.Errorf("dry run of a changed environment: %s", res)
	}
	if res := runBerth(t, dir, []string{"COLOUR=red"}, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
		t.Fatalf("swarm up with COLOUR=red: %s", res)
	}
	after := stackService(t, ns, "app")
	if after.Version.Index == before.Version.Index || after.UpdateStatus == nil || after.UpdateStatus.State != "completed" {
		t.Fatalf("no completed update: version %d -> %d, status %+v", before.Version.Index, after.Version.Index, after.UpdateStatus)
	}
	var red []swarmTask
	for _, tk := range serviceTasks(t, after.ID) {
		if envOf(tk.Spec.ContainerSpec.Env, "COLOUR") == "red" {
			red = append(red, tk)
		}
	}
	running := runningTasks(red)
	if len(running) != 2 {
		t.Fatalf("%d running tasks with COLOUR=red, want 2: %+v", len(running), red)
	}
	first, second := running[0], running[1]
	if second.CreatedAt.Before(first.CreatedAt) {
		first, second = second, first
	}
	// parallelism 1 and delay 2s: the second slot is replaced only after
	// the first one's new task ran, then the delay passed.
	if gap := second.CreatedAt.Sub(first.CreatedAt); gap < 2*time.Second {
		t.Errorf("the two replicas were replaced %s apart, want at least the 2s delay", gap)
	}
}

// TestSwarmRollback: an update whose tasks fail is rolled back by the
// swarm (failure_action: rollback), and --wait fails naming the cause.
func TestSwarmRollback(t *testing.T) {
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmRollback"))
	if res := runBerth(t, dir, nil, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
		t.Fatalf("swarm up: %s", res)
	}
	good := stackService(t, ns, "app").Spec.Labels["berth.spec-hash"]

	res := runBerth(t, dir, []string{"APP_COMMAND=echo about to fail; exit 3"}, "-p", ns, "swarm", "up", "--wait")
	if res.ExitCode == 0 {
		t.Fatalf("a failing update passed: %s", res)
	}
	for _, want := range []string{"app", "rolled it back", "non-zero exit (3)", "on node", "about to fail"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("the error does not say %q: %s", want, res)
		}
	}
	after := stackService(t, ns, "app")
	if after.Spec.Labels["berth.spec-hash"] != good || after.UpdateStatus == nil || !strings.HasPrefix(after.UpdateStatus.State, "rollback") {
		t.Errorf("the service is not back on its old spec: %+v", after)
	}
	eventually(t, 20*time.Second, "the old spec running again", func() (bool, string) {
		tasks := serviceTasks(t, after.ID)
		return len(runningTasks(tasks)) == 1, fmt.Sprintf("%+v", tasks)
	})
}

// TestSwarmSecretRotation: changed secret and config contents become new
// objects the task moves to, and the old versions go.
func TestSwarmSecretRotation(t *testing.T) {
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmSecretRotation"))
	read := func(env []string, wantToken, wantMode string) {
		t.Helper()
		if res := runBerth(t, dir, env, "-p", ns, "swarm", "up", "--wait"); res.ExitCode != 0 {
			t.Fatalf("swarm up: %s", res)
		}
		tasks := runningTasks(serviceTasks(t, stackService(t, ns, "app").ID))
		if len(tasks) != 1 {
			t.Fatalf("%d running tasks, want 1", len(tasks))
		}
		id := tasks[0].Status.ContainerStatus.ContainerID
		if got := execIn(t, id, "cat", "/run/secrets/token"); got != wantToken {
			t.Errorf("secret reads %q, want %q", got, wantToken)
		}
		if got := execIn(t, id, "cat", "/etc/settings.conf"); got != wantMode {
			t.Errorf("config reads %q, want %q", got, wantMode)
		}
		var secrets, configs int
		for _, o := range stackObjects(t, ns) {
			secrets += boolInt(strings.HasPrefix(o, "secrets:"))
			configs += boolInt(strings.HasPrefix(o, "configs:"))
		}
		if secrets != 1 || configs != 1 {
			t.Errorf("the stack holds %v, want one secret and one config", stackObjects(t, ns))
		}
	}
	read(nil, "first-token", "mode=first")
	if err := os.WriteFile(filepath.Join(dir, "token.txt"), []byte("second-token"), 0o600); err != nil {
		t.Fatal(err)
	}
	read([]string{"MODE=second"}, "second-token", "mode=second")
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSwarmDependsOnHealthy: app is created only once db is healthy, even
// with --detach, since the order is part of the plan.
func TestSwarmDependsOnHealthy(t *testing.T) {
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmDependsOnHealthy"))
	if res := runBerth(t, dir, nil, "-p", ns, "swarm", "up", "--detach"); res.ExitCode != 0 {
		t.Fatalf("swarm up: %s", res)
	}
	db, app := stackService(t, ns, "db"), stackService(t, ns, "app")
	running := runningTasks(serviceTasks(t, db.ID))
	if len(running) != 1 {
		t.Fatalf("db has %d running tasks when app exists, want 1", len(running))
	}
	// A task with a healthcheck turns running only once healthy.
	healthyAt := running[0].Status.Timestamp
	if healthyAt.Sub(db.CreatedAt) < 3*time.Second {
		t.Errorf("db ran %s after its creation; its healthcheck needs 3s", healthyAt.Sub(db.CreatedAt))
	}
	if app.CreatedAt.Before(healthyAt) {
		t.Errorf("app was created at %s, before db was healthy at %s", app.CreatedAt, healthyAt)
	}
}

// TestSwarmUnsupported: attributes Swarm cannot honour are refused or
// warned about before anything changes.
func TestSwarmUnsupported(t *testing.T) {
	requireSwarm(t)
	dir := t.TempDir()
	write := func(yaml string) {
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ns := uniqueProjectName(t)
	write("services:\n  app:\n    build: .\n")
	res := runBerth(t, dir, nil, "--dry-run", "-p", ns, "swarm", "up")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "app") || !strings.Contains(res.Stderr, "image") {
		t.Errorf("a build without an image name: %s", res)
	}
	write("services:\n  app:\n    image: busybox\n    container_name: fixed\n")
	res = runBerth(t, dir, nil, "--dry-run", "-p", ns, "swarm", "up")
	if res.ExitCode != 0 || !strings.Contains(res.Stderr, "container_name") || !strings.Contains(res.Stdout, "create-service:app") {
		t.Errorf("container_name: %s", res)
	}
	if len(stackServices(t, ns)) != 0 {
		t.Error("a dry run created services")
	}
}

// TestSwarmCrashLoop: a new service whose tasks keep failing ends --wait
// with the service, its failed tasks, their node and output; the service
// beside it still converges.
func TestSwarmCrashLoop(t *testing.T) {
	dir, ns := swarmProject(t, projectDir(t, "TestSwarmCrashLoop"))
	res := runBerth(t, dir, nil, "-p", ns, "swarm", "up", "--wait")
	if res.ExitCode == 0 {
		t.Fatalf("a crash loop passed: %s", res)
	}
	for _, want := range []string{"Service broken: ", "of its tasks failed", "non-zero exit (2)", "on node", "| cannot read /etc/app.conf"} {
		if !strings.Contains(res.Stderr, want) {
			t.Errorf("the error does not say %q: %s", want, res)
		}
	}
	if strings.Contains(res.Stderr, "Service fine: ") {
		t.Errorf("the healthy service is reported as failed: %s", res)
	}
	if n := len(runningTasks(serviceTasks(t, stackService(t, ns, "fine").ID))); n != 1 {
		t.Errorf("fine has %d running tasks, want 1", n)
	}
}
