package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestInterruptLoop: Ctrl-C at a random moment of a recreate or of a cold
// start never leaves the project broken: the next up -d ends with exactly
// one container per service and number under its final name, none left
// under a temporary one, all current, and the volume's data intact.
func TestInterruptLoop(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, []string{"ROUND=0"}, "up", "-d")
	db := containerNamed(t, name, name+"-db-1")
	execIn(t, db.ID, "sh", "-c", "echo kept > /data/marker")

	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	const recreates, coldStarts = 11, 10
	for i := 1; i <= recreates+coldStarts; i++ {
		round := []string{"ROUND=" + strconv.Itoa(i)}
		cold := i > recreates
		if cold {
			mustBerth(t, dir, name, round, "down", "-t", "1")
		}
		delay := time.Duration(rng.IntN(900)) * time.Millisecond
		code := interruptUp(t, dir, name, round, delay)
		t.Logf("round %d (cold %v): Ctrl-C %s after the first step, exit %d", i, cold, delay, code)
		mustBerth(t, dir, name, round, "up", "-d")
		checkConverged(t, name, i)
	}
}

// interruptUp starts up -d, sends SIGINT delay after its first progress
// line, and returns the exit code (0 when up finished first).
func interruptUp(t *testing.T, dir, name string, env []string, delay time.Duration) int {
	t.Helper()
	cmd := exec.Command(berthBinary(t), "-p", name, "--progress", "plain", "up", "-d")
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}, env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	first := make(chan struct{})
	go func() {
		r := bufio.NewReader(stderr)
		if _, err := r.ReadString('\n'); err == nil {
			close(first)
		}
		io.Copy(io.Discard, r)
	}()
	select {
	case <-first:
	case <-time.After(30 * time.Second):
	}
	time.Sleep(delay) // the random moment: where the interrupt lands is the point
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code != 0 && code != 130 {
		t.Fatalf("up interrupted after %s exited %d, want 130 (or 0 when it finished first)", delay, code)
	}
	return code
}

// checkConverged reads the engine: the expected names, one each, running,
// numbered as named, created from round's configuration, data kept.
func checkConverged(t *testing.T, name string, round int) {
	t.Helper()
	want := []string{name + "-api-1", name + "-cache-1", name + "-db-1", name + "-web-1", name + "-worker-1", name + "-worker-2"}
	var got []string
	for _, c := range projectContainers(t, name) {
		got = append(got, c.Name)
		service, number := c.Config.Labels["com.docker.compose.service"], c.Config.Labels["com.docker.compose.container-number"]
		if c.Name != name+"-"+service+"-"+number || c.State.Status != "running" {
			t.Errorf("round %d: %s is %s with service %q number %q", round, c.Name, c.State.Status, service, number)
		}
		if env := containerEnv(t, c.ID); !slices.Contains(env, "ROUND="+strconv.Itoa(round)) {
			t.Errorf("round %d: %s runs an old configuration: %v", round, c.Name, env)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("round %d: containers %v, want %v", round, got, want)
	}
	db := containerNamed(t, name, name+"-db-1")
	if out := execIn(t, db.ID, "cat", "/data/marker"); strings.TrimSpace(out) != "kept" {
		t.Fatalf("round %d: volume data = %q, want kept", round, out)
	}
}

func containerNamed(t *testing.T, project, name string) containerInfo {
	t.Helper()
	for _, c := range projectContainers(t, project) {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no container %s in project %s", name, project)
	return containerInfo{}
}

func containerEnv(t *testing.T, id string) []string {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/containers/"+id+"/json")
	if code != 200 {
		t.Fatalf("inspecting %s: %d %s", id, code, body)
	}
	var c struct{ Config struct{ Env []string } }
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(fmt.Errorf("inspect of %s: %w", id, err))
	}
	return c.Config.Env
}
