package cmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine/enginetest"
)

// foreground runs a foreground up over the fake in the background; once
// it waits on every container it calls then, and returns berth's exit
// code, stdout and the fake's end state.
func foreground(t *testing.T, ctx context.Context, args []string, then func(fake *enginetest.Fake)) (int, string, string) {
	t.Helper()
	fake := busyboxFake()
	dir := projectIn(t, runYAML)
	done := make(chan struct{})
	var code int
	var out string
	go func() {
		code, out, _ = berthRunContext(ctx, t, fake, dir, nil, args...)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(fake.Calls("StreamLogs")) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("berth %v never attached to the 3 containers", args)
		}
		time.Sleep(time.Millisecond) // polling the fake's record, not timing berth
	}
	then(fake)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("berth %v did not return", args)
	}
	return code, out, states(fake)
}

func exitAll(codes map[string]int) func(*enginetest.Fake) {
	return func(fake *enginetest.Fake) {
		fake.WriteStdout("run-web-1", "web says hello\n")
		for _, name := range []string{"run-db-1", "run-web-1", "run-worker-1"} {
			if code, ok := codes[name]; ok {
				fake.Exit(name, code)
			}
		}
	}
}

// TestUpForeground: up without -d stays attached until every shown
// container stopped; the abort flags stop the project at the first stop
// and pick the exit code as docker compose does.
func TestUpForeground(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		exits    map[string]int
		wantCode int
		want     string
		out      string
	}{
		{name: "returns 0 once all stopped, whatever their codes", args: []string{"up"},
			exits: map[string]int{"run-db-1": 0, "run-web-1": 2, "run-worker-1": 0}, wantCode: 0,
			want: "run-db-1=exited run-web-1=exited run-worker-1=exited", out: "web-1     | web says hello\n"},
		{name: "the stops are told", args: []string{"up"},
			exits: map[string]int{"run-db-1": 0, "run-web-1": 2, "run-worker-1": 0}, wantCode: 0,
			want: "run-db-1=exited run-web-1=exited run-worker-1=exited", out: "web-1 exited with code 2"},
		{name: "--exit-code-from web", args: []string{"up", "--exit-code-from", "web"},
			exits: map[string]int{"run-web-1": 3}, wantCode: 3,
			want: "run-db-1=exited run-web-1=exited run-worker-1=exited", out: "Aborting on container exit..."},
		{name: "--abort-on-container-exit: the first to stop gives the code", args: []string{"up", "--abort-on-container-exit"},
			exits: map[string]int{"run-worker-1": 5}, wantCode: 5,
			want: "run-db-1=exited run-web-1=exited run-worker-1=exited"},
		{name: "--abort-on-container-failure ignores a clean stop", args: []string{"up", "--abort-on-container-failure"},
			exits: map[string]int{"run-db-1": 0, "run-web-1": 0, "run-worker-1": 4}, wantCode: 4,
			want: "run-db-1=exited run-web-1=exited run-worker-1=exited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, state := foreground(t, context.Background(), tt.args, exitAll(tt.exits))
			if code != tt.wantCode || state != tt.want || !strings.Contains(out, tt.out) {
				t.Errorf("exit %d (want %d), containers %q (want %q), stdout %q (want %q in it)", code, tt.wantCode, state, tt.want, out, tt.out)
			}
		})
	}
}

// TestUpForegroundInterrupted: Ctrl-C stops the project, stopped rather
// than removed, and berth exits 130.
func TestUpForegroundInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	code, _, state := foreground(t, ctx, []string{"up"}, func(*enginetest.Fake) { cancel() })
	if code != 130 || state != "run-db-1=exited run-web-1=exited run-worker-1=exited" {
		t.Errorf("exit %d, containers %q; want 130 and all stopped, none removed", code, state)
	}
}

// TestUpRefusesAbortWithDetach: the abort flags need up to stay attached.
func TestUpRefusesAbortWithDetach(t *testing.T) {
	code, _, errOut := berthRun(t, busyboxFake(), projectIn(t, runYAML), nil, "up", "-d", "--exit-code-from", "web")
	if code != 1 || !strings.Contains(errOut, "cannot go together") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}
