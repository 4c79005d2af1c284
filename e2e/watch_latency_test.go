package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestWatchLatency measures, when BERTH_WATCH_BENCH is set, the time from
// a file write to its content being readable in the container: through
// watch, and through one `docker cp` of the changed files started at the
// moment of the write (the floor). Each sample waits with a loop already
// running in the container, so both ways pay the same detection cost.
func TestWatchLatency(t *testing.T) {
	if os.Getenv("BERTH_WATCH_BENCH") == "" {
		t.Skip("set BERTH_WATCH_BENCH=1 to measure watch's latency")
	}
	docker, err := exec.LookPath("docker")
	if err != nil {
		t.Skip("the floor needs the docker CLI")
	}
	dir, name := upProject(t)
	w := startBerth(t, dir, "-p", name, "watch")
	waitStderr(t, w, "Watching "+name)
	id := projectContainers(t, name)[0].ID
	src := filepath.Join(dir, "src")
	bulk := filepath.Join(src, "bulk")
	if err := os.Mkdir(bulk, 0o755); err != nil {
		t.Fatal(err)
	}

	one := func(round int, cp bool) time.Duration {
		want := fmt.Sprintf("r%d", round)
		return sample(t, id, fmt.Sprintf(`until [ "$(cat /app/one.txt 2>/dev/null)" = %s ]; do usleep 2000; done`, want), func() {
			writeFile(t, filepath.Join(src, "one.txt"), want)
			if cp {
				runDocker(t, docker, "cp", filepath.Join(src, "one.txt"), id+":/app/one.txt")
			}
		})
	}
	many := func(round int, cp bool) time.Duration {
		want := fmt.Sprintf("r%d", round)
		return sample(t, id, fmt.Sprintf(`until [ "$(cat /app/bulk/* 2>/dev/null | grep -c '^%s$')" = 500 ]; do usleep 5000; done`, want), func() {
			for i := range 500 {
				writeFile(t, filepath.Join(bulk, fmt.Sprintf("f%03d.txt", i)), want+"\n")
			}
			if cp {
				runDocker(t, docker, "cp", bulk+"/.", id+":/app/bulk")
			}
		})
	}
	report(t, "one file, watch", 20, func(i int) time.Duration { return one(i, false) })
	report(t, "500 files, watch", 5, func(i int) time.Duration { return many(i, false) })
	// The floor: watch stopped, so only docker cp writes.
	w.cancel()
	<-w.done
	report(t, "one file, docker cp floor", 20, func(i int) time.Duration { return one(100+i, true) })
	report(t, "500 files, docker cp floor", 5, func(i int) time.Duration { return many(100+i, true) })
}

// sample starts the wait loop in the container, then act, and times act
// to the loop's end.
func sample(t *testing.T, id, loop string, act func()) time.Duration {
	t.Helper()
	ended := make(chan time.Time, 1)
	go func() {
		execIn(t, id, "sh", "-c", "touch /tmp/waiting; "+loop)
		ended <- time.Now()
	}()
	eventually(t, 5*time.Second, "the wait loop runs", func() (bool, string) {
		out := execIn(t, id, "ls", "/tmp/waiting")
		return out == "/tmp/waiting\n", out
	})
	execIn(t, id, "rm", "/tmp/waiting")
	start := time.Now()
	act()
	select {
	case end := <-ended:
		return end.Sub(start)
	case <-time.After(30 * time.Second):
		t.Fatal("the content never arrived")
		return 0
	}
}

func report(t *testing.T, what string, n int, measure func(int) time.Duration) {
	t.Helper()
	var ds []time.Duration
	for i := range n {
		ds = append(ds, measure(i))
	}
	slices.Sort(ds)
	t.Logf("%-28s median %4d ms, worst %4d ms (%d samples)", what, ds[len(ds)/2].Milliseconds(), ds[len(ds)-1].Milliseconds(), n)
}

func runDocker(t *testing.T, docker string, args ...string) {
	t.Helper()
	if out, err := exec.Command(docker, args...).CombinedOutput(); err != nil {
		t.Fatalf("docker %v: %v\n%s", args, err, out)
	}
}
