package watch

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestRunSyncsWhatChanges(t *testing.T) {
	fx, s := newSyncFixture(t,
		types.Trigger{Action: "sync", Target: "/app", InitialSync: true},
		types.Trigger{Action: "sync+restart", Target: "/conf", Path: ""},
	)
	fx.write(t, "before.txt", "0")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s, func(err error) { t.Errorf("batch failed: %v", err) }) }()

	waitFile(t, fx, "/app/before.txt", "0") // initial_sync
	if n := len(fx.fake.Calls("StopContainer")); n != 0 {
		t.Errorf("the initial sync restarted containers (%d stops)", n)
	}
	fx.write(t, "new/after.txt", "1")
	waitFile(t, fx, "/app/new/after.txt", "1")
	cancel()
	if err := <-done; err != context.Canceled {
		t.Errorf("Run = %v, want context.Canceled", err)
	}
}

func waitFile(t *testing.T, fx *syncFixture, path, content string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if fileMap(fx.fake.Files("demo-web-1"))[path] == content {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never held %q; files: %v", path, content, fileMap(fx.fake.Files("demo-web-1")))
}

func TestInitialBatches(t *testing.T) {
	rules := []Rule{
		{Service: "web", Path: "/p/b", Target: "/b", InitialSync: true},
		{Service: "api", Path: "/p/a", Target: "/a", InitialSync: true},
		{Service: "web", Path: "/p/c", Target: "/c"},
		{Service: "web", Path: filepath.FromSlash("/p/d"), Action: "rebuild", InitialSync: true},
	}
	got := initialBatches(rules)
	if len(got) != 2 || got[0].Service != "api" || got[1].Service != "web" || len(got[1].Paths) != 1 || !got[1].Initial {
		t.Errorf("initialBatches = %+v, want api then web with /p/b only, both initial", got)
	}
}
