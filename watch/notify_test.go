package watch

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// collector gathers changed paths from a running Notifier.
type collector struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (c *collector) add(p string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seen[p] = true
}

func (c *collector) waitFor(t *testing.T, p string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		ok := c.seen[p]
		c.mu.Unlock()
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no change reported for %s", p)
}

func TestNotifierFollowsNewDirectories(t *testing.T) {
	dir := t.TempDir()
	n, err := NewNotifier([]string{dir}, func(d string) bool { return filepath.Base(d) == "skipped" })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &collector{seen: map[string]bool{}}
	done := make(chan error, 1)
	go func() { done <- n.Run(ctx, c.add) }()

	top := filepath.Join(dir, "a.txt")
	must(t, os.WriteFile(top, []byte("x"), 0o644))
	c.waitFor(t, top)

	// A tree made at once: the deep file may land before its directory's
	// watch exists, and must be reported all the same.
	deep := filepath.Join(dir, "new", "sub", "b.txt")
	must(t, os.MkdirAll(filepath.Dir(deep), 0o755))
	must(t, os.WriteFile(deep, []byte("y"), 0o644))
	c.waitFor(t, deep)

	later := filepath.Join(dir, "new", "sub", "c.txt")
	must(t, os.WriteFile(later, []byte("z"), 0o644))
	c.waitFor(t, later)

	// A skipped directory made later is not watched: a file written in it
	// after its watch would have existed is never reported.
	must(t, os.MkdirAll(filepath.Join(dir, "skipped"), 0o755))
	c.waitFor(t, filepath.Join(dir, "skipped"))
	if n.watching(filepath.Join(dir, "skipped")) {
		t.Error("the skipped directory is watched")
	}
	if !n.watching(filepath.Join(dir, "new", "sub")) {
		t.Error("the new directory new/sub is not watched")
	}
	must(t, os.Remove(later))
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// watching reports whether dir has a watch of its own.
func (n *Notifier) watching(dir string) bool {
	return slices.Contains(n.w.WatchList(), dir)
}
