package enginetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/moby/moby/api/types/swarm"
)

func TestFakeServiceLogs(t *testing.T) {
	tests := []struct {
		name           string
		tty            bool
		opts           engine.LogOptions
		stdout, stderr string
	}{
		{"all, streams apart", false, engine.LogOptions{Tail: -1}, "one\ntwo\nthree\n", "oops\n"},
		{"the last two lines", false, engine.LogOptions{Tail: 2}, "three\n", "oops\n"},
		{"with a TTY, all on stdout", true, engine.LogOptions{Tail: -1}, "one\ntwo\nthree\noops\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSwarmFake()
			f.SetServiceLogs("web", "one\ntwo\n")
			id := createService(t, f, svc("web", func(s *swarm.ServiceSpec) { s.TaskTemplate.ContainerSpec.TTY = tt.tty }))
			f.WriteServiceStdout("web", "three\n")
			f.WriteServiceStderr("web", "oops\n")

			var stdout, stderr strings.Builder
			if err := f.StreamServiceLogs(ctx, id, tt.opts, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if stdout.String() != tt.stdout || stderr.String() != tt.stderr {
				t.Errorf("stdout %q, stderr %q; want %q, %q", stdout.String(), stderr.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

func TestFakeTaskLogs(t *testing.T) {
	f := newSwarmFake()
	createService(t, f, svc("web"))
	f.SetServiceLogs("web", "a\nb\nc\n")
	f.WriteServiceStderr("web", "boom\n")
	task := f.Tasks("web")[0]

	tests := []struct {
		tail int
		want string
	}{
		{-1, "a\nb\nc\nboom\n"},
		{2, "c\nboom\n"},
		{0, ""},
	}
	for _, tt := range tests {
		if got, err := f.TaskLogs(ctx, task.ID, tt.tail); err != nil || got != tt.want {
			t.Errorf("TaskLogs(tail %d) = %q, %v; want %q", tt.tail, got, err, tt.want)
		}
	}
	if _, err := f.TaskLogs(ctx, "nope", 1); !engine.IsNotFound(err) {
		t.Errorf("logs of a missing task: %v, want not found", err)
	}
	if err := f.StreamServiceLogs(ctx, "nope", engine.LogOptions{}, &strings.Builder{}, &strings.Builder{}); !engine.IsNotFound(err) {
		t.Errorf("logs of a missing service: %v, want not found", err)
	}
	if err := f.StreamServiceLogs(ctx, "web", engine.LogOptions{Until: "1m"}, &strings.Builder{}, &strings.Builder{}); err == nil {
		t.Error("logs until a time: no error, but the engine cannot")
	}
}

// lineWriter hands each write to the test, so it knows when a follower
// got a line without waiting a fixed time.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) { w <- string(p); return len(p), nil }

func TestFakeFollowServiceLogs(t *testing.T) {
	f := newSwarmFake()
	createService(t, f, svc("web"))
	f.SetServiceLogs("web", "before\n")
	followCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(lineWriter)
	done := make(chan error, 1)
	go func() {
		done <- f.StreamServiceLogs(followCtx, "web", engine.LogOptions{Follow: true, Tail: -1}, out, out)
	}()

	if got := <-out; got != "before\n" {
		t.Errorf("first line %q", got)
	}
	f.WriteServiceStdout("web", "after\n")
	if got := <-out; got != "after\n" {
		t.Errorf("line written while followed: %q", got)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("follow ended with %v, want context.Canceled", err)
	}
}
