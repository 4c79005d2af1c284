package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatch: `watch` brings the project up and follows its rules: an edit
// under a sync path is readable in the container within a second, a
// delete removes the file there, an ignored file never arrives, 500 files
// written at once come as one batch and all arrive, a sync+restart
// restarts the same container, and Ctrl-C ends watch with 130 while the
// project keeps running.
func TestWatch(t *testing.T) {
	dir, name := upProject(t)
	w := startBerth(t, dir, "-p", name, "watch")
	waitStderr(t, w, "Watching "+name)
	cs := projectContainers(t, name)
	if len(cs) != 1 {
		t.Fatalf("containers after watch started: %+v", cs)
	}
	id := cs[0].ID
	src := filepath.Join(dir, "src")

	t.Run("an edit arrives within a second", func(t *testing.T) {
		writeFile(t, filepath.Join(src, "index.txt"), "edited\n")
		eventually(t, time.Second, "the edit reached /app", func() (bool, string) {
			out := execIn(t, id, "cat", "/app/index.txt")
			return out == "edited\n", out
		})
	})
	t.Run("an ignored file is never copied", func(t *testing.T) {
		writeFile(t, filepath.Join(src, "scratch.tmp"), "no\n")
		writeFile(t, filepath.Join(src, "after.txt"), "yes\n")
		eventually(t, 5*time.Second, "after.txt reached /app", func() (bool, string) {
			out := execIn(t, id, "ls", "/app")
			return strings.Contains(out, "after.txt"), out
		})
		if out := execIn(t, id, "ls", "/app"); strings.Contains(out, "scratch.tmp") {
			t.Errorf("the ignored scratch.tmp was copied: ls /app = %q", out)
		}
	})
	t.Run("a delete removes the file", func(t *testing.T) {
		if err := os.Remove(filepath.Join(src, "after.txt")); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, "after.txt gone from /app", func() (bool, string) {
			out := execIn(t, id, "ls", "/app")
			return !strings.Contains(out, "after.txt"), out
		})
	})
	t.Run("500 files at once are one batch", func(t *testing.T) {
		before := strings.Count(stderrOf(w), "Syncing service web: ")
		many := filepath.Join(src, "many")
		if err := os.Mkdir(many, 0o755); err != nil {
			t.Fatal(err)
		}
		for i := range 500 {
			writeFile(t, filepath.Join(many, fmt.Sprintf("f%03d.txt", i)), fmt.Sprintf("%d\n", i))
		}
		eventually(t, 10*time.Second, "all 500 files in /app/many", func() (bool, string) {
			out := execIn(t, id, "sh", "-c", "ls /app/many | wc -l; cat /app/many/f499.txt")
			return strings.Fields(out)[0] == "500" && strings.HasSuffix(out, "499\n"), out
		})
		if after := strings.Count(stderrOf(w), "Syncing service web: "); after != before+1 {
			t.Errorf("500 files took %d batches, want 1; stderr:\n%s", after-before, stderrOf(w))
		}
	})
	t.Run("sync+restart restarts the same container", func(t *testing.T) {
		started := inspectContainer(t, id).State.StartedAt
		writeFile(t, filepath.Join(dir, "conf", "app.conf"), "v2\n")
		eventually(t, 20*time.Second, "the container restarted with the new file", func() (bool, string) {
			c := inspectContainer(t, id)
			if c.State.Status != "running" || c.State.StartedAt.Equal(started) {
				return false, fmt.Sprintf("status %s, started %s", c.State.Status, c.State.StartedAt)
			}
			out := execIn(t, id, "cat", "/conf/app.conf")
			return out == "v2\n", out
		})
		if cs := projectContainers(t, name); len(cs) != 1 || cs[0].ID != id {
			t.Errorf("sync+restart recreated the container: %+v", cs)
		}
	})
	t.Run("Ctrl-C exits 130 and leaves the project running", func(t *testing.T) {
		if err := w.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		res := w.wait(t, 10*time.Second)
		if res.ExitCode != 130 {
			t.Errorf("watch after Ctrl-C: %s; want exit 130", res)
		}
		if c := inspectContainer(t, id); c.State.Status != "running" {
			t.Errorf("after Ctrl-C the container is %s, want running", c.State.Status)
		}
	})
}

// TestWatchBadRule: a rule that cannot work fails at start, naming the
// service and the fix, before anything is created.
func TestWatchBadRule(t *testing.T) {
	dir, name := upProject(t)
	res := runBerth(t, dir, nil, "-p", name, "watch")
	if res.ExitCode == 0 || !strings.Contains(res.Stderr, "service web, develop.watch[0]: target \"app\" of action sync must be an absolute path") {
		t.Errorf("watch with a relative target: %s", res)
	}
	if cs := projectContainers(t, name); len(cs) != 0 {
		t.Errorf("a bad rule still created containers: %+v", cs)
	}
}

// stderrOf is what a background berth wrote to stderr so far.
func stderrOf(b *background) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stderr.String()
}

func waitStderr(t *testing.T, b *background, s string) {
	t.Helper()
	eventually(t, 60*time.Second, "berth's stderr shows "+s, func() (bool, string) {
		out := stderrOf(b)
		return strings.Contains(out, s), out
	})
}

// TestWatchRebuild: a change under a rebuild path builds the image again
// and replaces the container (a new id, the new content), and the image
// it replaced is pruned.
func TestWatchRebuild(t *testing.T) {
	dir, name := upProject(t)
	t.Cleanup(func() { dockerAPI(t, "DELETE", "/images/"+name+"-app?force=1") })
	w := startBerth(t, dir, "-p", name, "watch")
	waitStderr(t, w, "Watching "+name)
	cs := projectContainers(t, name)
	if len(cs) != 1 {
		t.Fatalf("containers after watch started: %+v", cs)
	}
	oldImage := inspectImageID(t, name+"-app")
	writeFile(t, filepath.Join(dir, "version.txt"), "v2\n")
	eventually(t, 60*time.Second, "a new container with the new file", func() (bool, string) {
		now := projectContainers(t, name)
		if len(now) != 1 || now[0].ID == cs[0].ID || now[0].State.Status != "running" {
			return false, fmt.Sprintf("containers %+v; stderr:\n%s", now, stderrOf(w))
		}
		out := execIn(t, now[0].ID, "cat", "/version.txt")
		return out == "v2\n", out
	})
	if !strings.Contains(stderrOf(w), "Rebuilding service app") {
		t.Errorf("no rebuild line; stderr:\n%s", stderrOf(w))
	}
	if code, _ := dockerAPI(t, "GET", "/images/"+oldImage+"/json"); code != 404 {
		t.Errorf("the replaced image %s is still there (%d): --prune is on by default", oldImage, code)
	}
}

func inspectImageID(t *testing.T, ref string) string {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/images/"+ref+"/json")
	if code != 200 {
		t.Fatalf("inspecting image %s: %d %s", ref, code, body)
	}
	var img struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &img); err != nil {
		t.Fatal(err)
	}
	return img.ID
}

// TestUpWatch: up --watch shows the services' output as foreground up
// does and follows the rules meanwhile: a sync+restart keeps the output
// going; Ctrl-C stops the project and exits 130.
func TestUpWatch(t *testing.T) {
	dir, name := upProject(t)
	if res := runBerth(t, dir, nil, "-p", name, "up", "-d", "--watch"); res.ExitCode == 0 || !strings.Contains(res.Stderr, "--watch needs up to stay in the foreground") {
		t.Errorf("up -d --watch: %s; want an error", res)
	}
	w := startBerth(t, dir, "-p", name, "up", "--watch")
	w.waitFor(t, "web is up")
	waitStderr(t, w, "Watching "+name)
	c := projectContainers(t, name)[0]
	id := c.ID
	writeFile(t, filepath.Join(dir, "src", "a.txt"), "two\n")
	// The output of the second run shows the restart is over.
	eventually(t, 20*time.Second, "the container restarted, its output shown", func() (bool, string) {
		return strings.Count(w.output(), "web is up") == 2, w.output() + "\n--- stderr\n" + stderrOf(w)
	})
	if now := inspectContainer(t, id); now.State.Status != "running" || now.State.StartedAt.Equal(c.State.StartedAt) {
		t.Errorf("after the sync web is %s, started %s (before: %s); want running, restarted", now.State.Status, now.State.StartedAt, c.State.StartedAt)
	}
	if out := execIn(t, id, "cat", "/app/a.txt"); out != "two\n" {
		t.Errorf("/app/a.txt = %q, want the synced %q", out, "two\n")
	}
	if err := w.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	if res := w.wait(t, 20*time.Second); res.ExitCode != 130 {
		t.Errorf("up --watch after Ctrl-C: %s; want exit 130", res)
	}
	if c := inspectContainer(t, id); c.State.Status != "exited" {
		t.Errorf("after Ctrl-C web is %s, want exited (stopped as by foreground up)", c.State.Status)
	}
}
