package engine

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestContextGates: a second transfer of the same context waits for the
// first to end; another context does not wait; a cancelled wait gives up.
func TestContextGates(t *testing.T) {
	g := &gates{m: map[string]chan struct{}{}}
	ctx := context.Background()
	release, err := g.acquire(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if other, err := g.acquire(ctx, "b"); err != nil {
		t.Fatalf("another context waited: %v", err)
	} else {
		other()
	}
	got := make(chan func(), 1)
	go func() {
		r, _ := g.acquire(ctx, "a")
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("the second transfer of a did not wait for the first")
	case <-time.After(20 * time.Millisecond):
	}
	release()
	release() // twice is harmless
	select {
	case r := <-got:
		r()
	case <-time.After(5 * time.Second):
		t.Fatal("the second transfer never got its turn")
	}
	hold, _ := g.acquire(ctx, "a")
	defer hold()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.acquire(cctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled wait returned %v", err)
	}
}
