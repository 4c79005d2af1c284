package interactive

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// lockedBuffer is a strings.Builder safe to read while Run writes to it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// execStream starts an exec on a running fake container whose process
// handler is h.
func execStream(t *testing.T, h enginetest.ExecHandler) engine.Stream {
	t.Helper()
	ctx := context.Background()
	f := enginetest.New().WithImage("busybox", "sha256:b").OnExec(h)
	id, err := f.CreateContainer(ctx, engine.ContainerSpec{Name: "app-1", Config: &container.Config{Image: "busybox"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	exec, err := f.CreateExec(ctx, id, engine.ExecSpec{Cmd: []string{"cat"}, Stdin: true})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.AttachExec(ctx, exec, false)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// cat echoes stdin to stdout and says so on stderr once it ends.
func cat(r enginetest.ExecRun) int {
	io.Copy(r.Stdout, r.Stdin)
	io.WriteString(r.Stderr, "eof\n")
	return 0
}

func TestRunCopiesBothWaysUntilTheProcessEnds(t *testing.T) {
	s := execStream(t, cat)
	var out, errOut lockedBuffer
	err := Run(context.Background(), s, Options{In: strings.NewReader("hello\n"), Out: &out, Err: &errOut})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "hello\n" || errOut.String() != "eof\n" {
		t.Fatalf("stdout %q, stderr %q; want the input echoed and eof on stderr", out.String(), errOut.String())
	}
}

func TestRunDetachesAtTheKeys(t *testing.T) {
	s := execStream(t, cat)
	var out lockedBuffer
	err := Run(context.Background(), s, Options{In: strings.NewReader("typed\x10\x11ignored"), Out: &out, Err: io.Discard})
	if !errors.Is(err, ErrDetached) {
		t.Fatalf("Run = %v, want ErrDetached", err)
	}
	if strings.Contains(out.String(), "ignored") {
		t.Fatalf("output %q: input after the detach keys reached the process", out.String())
	}
}

func TestRunEndsWithTheContext(t *testing.T) {
	s := execStream(t, func(r enginetest.ExecRun) int {
		time.Sleep(time.Hour)
		return 0
	})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := Run(ctx, s, Options{Out: io.Discard, Err: io.Discard}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Run = %v, want the context's error", err)
	}
}

func TestRunRejectsBadDetachKeys(t *testing.T) {
	s := execStream(t, cat)
	err := Run(context.Background(), s, Options{DetachKeys: "ctrl-1", Out: io.Discard, Err: io.Discard})
	if err == nil || !strings.Contains(err.Error(), "detach keys") {
		t.Fatalf("Run = %v, want an error about the detach keys", err)
	}
}
