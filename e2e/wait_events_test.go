package e2e

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestWaitAndEvents: events streams the project's container events in
// docker compose's JSON and text shapes until Ctrl-C (exit 130); wait exits
// with the service's exit code, and with --down-project takes the project
// down.
func TestWaitAndEvents(t *testing.T) {
	dir, name := upProject(t)
	for _, asJSON := range []bool{true, false} {
		args := []string{"-p", name, "events"}
		if asJSON {
			args = append(args, "--json")
		}
		cmd := exec.Command(berthBinary(t), args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		// events subscribes as it starts; restarting svc until a line comes
		// avoids guessing how long that takes.
		mustBerth(t, dir, name, nil, "up", "-d", "svc")
		got := ""
		for deadline := time.Now().Add(20 * time.Second); got == "" && time.Now().Before(deadline); {
			mustBerth(t, dir, name, nil, "restart", "svc")
			select {
			case l := <-lines:
				got = l
			case <-time.After(2 * time.Second):
			}
		}
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 130 {
			t.Errorf("events after Ctrl-C exited %d, want 130", code)
		}
		if asJSON {
			var e struct {
				Type, Service, ID, Action string
				Attributes                map[string]string
			}
			if json.Unmarshal([]byte(got), &e) != nil || e.Type != "container" || e.Service != "svc" || e.ID == "" ||
				e.Attributes["name"] != name+"-svc-1" || e.Attributes["com.docker.compose.project"] != "" {
				t.Errorf("events --json line: %q", got)
			}
		} else if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container \S+ [0-9a-f]{64} \(.*name=` + name + `-svc-1.*\)$`).MatchString(got) {
			t.Errorf("events line: %q", got)
		}
	}

	mustBerth(t, dir, name, nil, "up", "-d")
	res := runBerth(t, dir, nil, "-p", name, "wait", "job")
	if res.ExitCode != 3 || !strings.Contains(res.Stdout, "exited with status code 3") {
		t.Errorf("wait job: %s", res)
	}
	mustBerth(t, dir, name, nil, "up", "-d")
	res = runBerth(t, dir, nil, "-p", name, "wait", "--down-project", "job")
	if res.ExitCode != 3 {
		t.Errorf("wait --down-project job: %s", res)
	}
	expectStates(t, name, "wait --down-project", map[string]string{})
}
