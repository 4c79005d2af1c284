package enginetest

import (
	"bufio"
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
)

// TestFakeStreamLogs: tail, since and until select lines; stderr goes to
// its own writer unless the container has a TTY.
func TestFakeStreamLogs(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := base
	f := withBusybox().WithClock(func() time.Time { return now })
	id := create(t, f, spec("web"))
	tty := spec("term")
	tty.Config.Tty = true
	ttyID := create(t, f, tty)
	for i, line := range []string{"one\n", "two\n", "three"} {
		now = base.Add(time.Duration(i+1) * time.Second)
		if err := f.WriteStdout("web", line); err != nil {
			t.Fatal(err)
		}
		if err := f.WriteStderr("term", line); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.WriteStderr("web", "oops\n"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		id             string
		opts           engine.LogOptions
		stdout, stderr string
	}{
		{"all", id, engine.LogOptions{Tail: -1}, "one\ntwo\nthree", "oops\n"},
		{"tail counts lines", id, engine.LogOptions{Tail: 2}, "three", "oops\n"},
		{"since a unix time", id, engine.LogOptions{Tail: -1, Since: "1767225602.000000000"}, "two\nthree", "oops\n"},
		{"until an RFC 3339 time", id, engine.LogOptions{Tail: -1, Until: "2026-01-01T00:00:01Z"}, "one\n", ""},
		{"timestamps", id, engine.LogOptions{Tail: 1, Until: "2026-01-01T00:00:01Z", Timestamps: true}, "2026-01-01T00:00:01.000000000Z one\n", ""},
		{"tty: one stream", ttyID, engine.LogOptions{Tail: -1}, "one\ntwo\nthree", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errs strings.Builder
			if err := f.StreamLogs(ctx, tt.id, tt.opts, &out, &errs); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.stdout || errs.String() != tt.stderr {
				t.Errorf("stdout %q, stderr %q; want %q, %q", out.String(), errs.String(), tt.stdout, tt.stderr)
			}
		})
	}
}

// TestFakeFollowEndsWithRun: a followed stream gets lines as they are
// written and ends when the run it began in ends.
func TestFakeFollowEndsWithRun(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	if err := f.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	r, w := ioPipe()
	done := make(chan error, 1)
	go func() {
		done <- f.StreamLogs(context.Background(), id, engine.LogOptions{Tail: -1, Follow: true}, w, w)
		w.Close()
	}()
	if err := f.WriteStdout("web", "live\n"); err != nil {
		t.Fatal(err)
	}
	if got := readLine(t, r); got != "live\n" {
		t.Errorf("first line %q", got)
	}
	if err := f.Exit("web", 0); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("stream ended with %v", err)
	}
}

func ioPipe() (*bufio.Reader, *io.PipeWriter) {
	r, w := io.Pipe()
	return bufio.NewReader(r), w
}

func readLine(t *testing.T, r *bufio.Reader) string {
	t.Helper()
	line, err := r.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return line
}
