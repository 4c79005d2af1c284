package cmd

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestLockProject: a second berth on the same project and engine says it
// waits and gives up when its context ends; once the first unlocks, the
// lock is free again, and another project never waits.
func TestLockProject(t *testing.T) {
	host := "unix:///test/" + t.Name()
	deps, _, errOut := testDeps()
	unlock, err := lockProject(context.Background(), deps, host, "shop")
	if err != nil {
		t.Fatal(err)
	}

	other, err := lockProject(context.Background(), deps, host, "other")
	if err != nil {
		t.Fatalf("another project: %v", err)
	}
	other()

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := lockProject(cancelled, deps, host, "shop"); !errors.Is(err, context.Canceled) {
		t.Fatalf("second lock while held: error = %v, want context.Canceled", err)
	}
	if !strings.Contains(errOut.String(), "waiting for another berth working on project shop") {
		t.Errorf("stderr = %q, want the waiting notice", errOut.String())
	}

	unlock()
	again, err := lockProject(cancelled, deps, host, "shop")
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}
