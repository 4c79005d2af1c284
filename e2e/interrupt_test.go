package e2e

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestInterruptedUpResumes: Ctrl-C while up waits for a dependency exits
// 130 and says so; the next up finishes the job without duplicates.
func TestInterruptedUpResumes(t *testing.T) {
	dir, name := upProject(t)
	cmd := exec.Command(berthBinary(t), "-p", name, "--progress", "plain", "up", "-d")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var seen bytes.Buffer
	waiting := make(chan struct{})
	go func() {
		scanner := bufio.NewScanner(stderr)
		once := sync.Once{}
		for scanner.Scan() {
			seen.WriteString(scanner.Text() + "\n")
			if strings.Contains(scanner.Text(), "Service slow  Waiting") {
				once.Do(func() { close(waiting) })
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case <-waiting:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("up never waited for slow:\n%s", seen.String())
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 130 {
		t.Fatalf("exit code after Ctrl-C = %d (%v), want 130:\n%s", code, err, seen.String())
	}
	if !strings.Contains(seen.String(), "interrupted: ") || !strings.Contains(seen.String(), "not started; run the command again") {
		t.Errorf("no word of the interrupt:\n%s", seen.String())
	}

	if res := runBerth(t, dir, nil, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up after the interrupt: %s", res)
	}
	got := states(t, name)
	want := map[string]string{name + "-app-1": "running", name + "-slow-1": "running"}
	if len(got) != 2 || got[name+"-app-1"] != "running" || got[name+"-slow-1"] != "running" {
		t.Errorf("after resuming: %v, want %v", got, want)
	}
}

// TestConcurrentUps: two up at once on one project make each container
// once; the second waits for the first instead of racing it.
func TestConcurrentUps(t *testing.T) {
	dir, name := upProject(t)
	var wg sync.WaitGroup
	results := make([]Result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = runBerth(t, dir, nil, "-p", name, "up", "-d")
		}()
	}
	wg.Wait()
	for i, res := range results {
		if res.ExitCode != 0 {
			t.Errorf("up #%d: %s", i, res)
		}
	}
	got := states(t, name)
	if len(got) != 3 {
		t.Errorf("containers = %v, want one-1, two-1, two-2", got)
	}
}
