package e2e

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestUpForeground: up without -d returns once its containers stopped,
// with docker compose's exit codes for --exit-code-from and
// --abort-on-container-exit; Ctrl-C stops the project without removing it,
// exits 130, and a following up -d converges.
func TestUpForeground(t *testing.T) {
	dir, name := upProject(t)
	t.Cleanup(func() { runBerth(t, dir, nil, "-p", name, "--profile", "server", "down", "-v", "-t", "0") })

	res := runBerth(t, dir, nil, "-p", name, "up", "--no-color")
	if res.ExitCode != 0 || !regexp.MustCompile(`(?m)^quick-1 +\| quick says hello$`).MatchString(res.Stdout) ||
		!regexp.MustCompile(`(?m)^slow-1 +\| slow says hello$`).MatchString(res.Stdout) ||
		!strings.Contains(res.Stdout, "slow-1 exited with code 3") {
		t.Errorf("up with every container stopping: %s", res)
	}
	// --attach keeps only one service's output; --no-attach leaves one out
	// (and up returns when quick stops: slow is waited for after).
	res = runBerth(t, dir, nil, "-p", name, "up", "--no-color", "--attach", "slow")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "slow says hello") || strings.Contains(res.Stdout, "quick says hello") {
		t.Errorf("--attach slow: %s", res)
	}
	res = runBerth(t, dir, nil, "-p", name, "up", "--no-color", "--no-attach", "slow")
	if res.ExitCode != 0 || strings.Contains(res.Stdout, "slow says hello") || !strings.Contains(res.Stdout, "quick says hello") {
		t.Errorf("--no-attach slow: %s", res)
	}
	runBerth(t, dir, nil, "-p", name, "wait", "slow")
	expectStates(t, name, "up", map[string]string{name + "-quick-1": "exited", name + "-slow-1": "exited"})

	if res := runBerth(t, dir, nil, "-p", name, "up", "--exit-code-from", "slow"); res.ExitCode != 3 {
		t.Errorf("--exit-code-from slow: %s", res)
	}
	if res := runBerth(t, dir, []string{"QUICK_CODE=0"}, "-p", name, "up", "--exit-code-from", "quick"); res.ExitCode != 0 {
		t.Errorf("--exit-code-from quick: %s", res)
	}

	// quick stops after a second; the server, which would run for an
	// hour, is stopped with it, not removed.
	start := time.Now()
	res = runBerth(t, dir, []string{"QUICK_CODE=4"}, "-p", name, "--profile", "server", "up", "--abort-on-container-exit", "-t", "1")
	if res.ExitCode != 4 || !strings.Contains(res.Stdout, "Aborting on container exit...") || time.Since(start) > time.Minute {
		t.Errorf("--abort-on-container-exit: %s", res)
	}
	expectStates(t, name, "abort", map[string]string{name + "-quick-1": "exited", name + "-slow-1": "exited", name + "-server-1": "exited"})

	code, stderr := interruptForeground(t, dir, name)
	if code != 130 || !strings.Contains(stderr, "Gracefully stopping") {
		t.Errorf("Ctrl-C: exit %d\n%s", code, stderr)
	}
	if got := states(t, name)[name+"-server-1"]; got != "exited" {
		t.Errorf("after Ctrl-C the server is %q, want stopped (exited), not removed", got)
	}
	mustBerth(t, dir, name, nil, "--profile", "server", "up", "-d", "server")
	if got := states(t, name)[name+"-server-1"]; got != "running" {
		t.Errorf("up -d after Ctrl-C: server %q", got)
	}
}

// interruptForeground starts a foreground up of the server and sends it
// SIGINT once it has started; it returns the exit code and stderr.
func interruptForeground(t *testing.T, dir, name string) (int, string) {
	t.Helper()
	cmd := exec.Command(berthBinary(t), "-p", name, "--profile", "server", "--progress", "plain", "up", "server", "-t", "1")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	attached := make(chan struct{})
	go func() {
		r := bufio.NewScanner(stdout)
		closed := false
		for r.Scan() {
			if !closed && strings.HasPrefix(r.Text(), "Attaching to ") {
				closed = true
				close(attached)
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case <-attached:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("foreground up never attached")
	}
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	return cmd.ProcessState.ExitCode(), stderr.String()
}
