package e2e

import (
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// swarmService is the part of a swarm service the tests read, straight
// from the engine API.
type swarmService struct {
	ID      string
	Version struct{ Index uint64 }
	Spec    struct {
		Name         string
		Labels       map[string]string
		TaskTemplate struct {
			ContainerSpec struct {
				Image   string
				Env     []string
				Secrets []struct{ SecretName string }
				Configs []struct{ ConfigName string }
			}
		}
	}
	CreatedAt    time.Time
	UpdateStatus *struct{ State, Message string }
}

type swarmTask struct {
	ID           string
	Slot         int
	NodeID       string
	DesiredState string
	CreatedAt    time.Time
	Status       struct {
		State           string
		Timestamp       time.Time
		Err             string
		ContainerStatus struct{ ContainerID string }
	}
	Spec struct {
		ContainerSpec struct{ Env []string }
	}
}

// requireSwarm fails unless the engine manages a swarm: the harness puts
// it in swarm mode (scripts/engine.sh swarm), so a missing swarm is a
// broken harness, not a reason to skip.
func requireSwarm(t *testing.T) {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/info")
	var info struct {
		Swarm struct {
			LocalNodeState   string
			ControlAvailable bool
		}
	}
	if code != 200 || json.Unmarshal(body, &info) != nil {
		t.Fatalf("engine info: %d %s", code, body)
	}
	if info.Swarm.LocalNodeState != "active" || !info.Swarm.ControlAvailable {
		t.Fatalf("the test engine is not a swarm manager (state %q): run scripts/engine.sh swarm", info.Swarm.LocalNodeState)
	}
}

func labelFilter(label string) string {
	f, _ := json.Marshal(map[string][]string{"label": {label}})
	return url.QueryEscape(string(f))
}

// stackServices lists the services labelled with the stack's namespace,
// sorted by name.
func stackServices(t *testing.T, ns string) []swarmService {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/services?filters="+labelFilter("com.docker.stack.namespace="+ns))
	var out []swarmService
	if code != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("listing services: %d %s", code, body)
	}
	slices.SortFunc(out, func(a, b swarmService) int { return strings.Compare(a.Spec.Name, b.Spec.Name) })
	return out
}

func stackService(t *testing.T, ns, service string) swarmService {
	t.Helper()
	for _, s := range stackServices(t, ns) {
		if s.Spec.Name == ns+"_"+service {
			return s
		}
	}
	t.Fatalf("stack %s has no service %s", ns, service)
	return swarmService{}
}

func serviceTasks(t *testing.T, id string) []swarmTask {
	t.Helper()
	f, _ := json.Marshal(map[string][]string{"service": {id}})
	code, body := dockerAPI(t, "GET", "/tasks?filters="+url.QueryEscape(string(f)))
	var out []swarmTask
	if code != 200 || json.Unmarshal(body, &out) != nil {
		t.Fatalf("listing tasks: %d %s", code, body)
	}
	return out
}

// runningTasks are the tasks meant to run that do.
func runningTasks(tasks []swarmTask) []swarmTask {
	var out []swarmTask
	for _, tk := range tasks {
		if tk.DesiredState == "running" && tk.Status.State == "running" {
			out = append(out, tk)
		}
	}
	return out
}

// stackObjects names the configs, secrets and networks of a stack.
func stackObjects(t *testing.T, ns string) []string {
	t.Helper()
	var names []string
	for _, kind := range []string{"configs", "secrets", "networks"} {
		code, body := dockerAPI(t, "GET", "/"+kind+"?filters="+labelFilter("com.docker.stack.namespace="+ns))
		var list []struct {
			Name string
			Spec struct{ Name string }
		}
		if code != 200 || json.Unmarshal(body, &list) != nil {
			t.Fatalf("listing %s: %d %s", kind, code, body)
		}
		for _, o := range list {
			names = append(names, kind+":"+o.Name+o.Spec.Name)
		}
	}
	slices.Sort(names)
	return names
}

// swarmProject copies testdata/<TestName> and removes the stack when the
// test ends, whatever berth managed, so no test leaks services.
func swarmProject(t *testing.T, dir string) (string, string) {
	t.Helper()
	requireSwarm(t)
	ns := uniqueProjectName(t)
	t.Cleanup(func() {
		if res := runBerth(t, dir, nil, "-p", ns, "swarm", "down"); res.ExitCode != 0 {
			t.Logf("swarm down: %s", res)
		}
	})
	return dir, ns
}

// dockerCLI runs the docker CLI against the test engine: the checks that
// docker's own stack commands see what berth made.
func dockerCLI(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+os.Getenv("DOCKER_HOST"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func envOf(env []string, key string) string {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}
