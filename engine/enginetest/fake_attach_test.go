package enginetest

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestFakeAttachBeforeStart: a stream made before the start carries the
// run's output, both streams apart, and ends with the run; what is
// written to it is the container's stdin.
func TestFakeAttachBeforeStart(t *testing.T) {
	f := New().WithImage("busybox", "sha256:b")
	id := create(t, f, spec("app"))
	s, err := f.AttachContainer(ctx, id, engine.AttachOptions{Stdin: true, Stdout: true, Stderr: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Write([]byte("typed\n")); err != nil {
		t.Fatal(err)
	}
	var out, errOut strings.Builder
	done := make(chan error, 1)
	go func() { done <- s.CopyOutput(&out, &errOut) }()
	if err := f.StartContainer(ctx, id); err != nil {
		t.Fatal(err)
	}
	f.WriteStdout(id, "out\n")
	f.WriteStderr(id, "err\n")
	if err := f.Exit(id, 0); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if out.String() != "out\n" || errOut.String() != "err\n" {
		t.Errorf("stdout %q, stderr %q; want the run's output, apart", out.String(), errOut.String())
	}
	if in, _ := f.Stdin(id); in != "typed\n" {
		t.Errorf("stdin %q, want what was written to the stream", in)
	}
}

// TestFakeExec: an exec needs a running container, and reports its
// handler's exit code once it ended.
func TestFakeExec(t *testing.T) {
	f := New().WithImage("busybox", "sha256:b").OnExec(func(r ExecRun) int { return len(r.Spec.Cmd) })
	id := create(t, f, spec("app"))
	if _, err := f.CreateExec(ctx, id, engine.ExecSpec{Cmd: []string{"true"}}); !engine.IsConflict(err) {
		t.Fatalf("exec in a created container: %v, want a conflict", err)
	}
	f.StartContainer(ctx, id)
	exec, err := f.CreateExec(ctx, id, engine.ExecSpec{Cmd: []string{"sh", "-c", "x"}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.AttachExec(ctx, exec, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CopyOutput(&strings.Builder{}, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	for {
		st, err := f.InspectExec(ctx, exec)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Running {
			if st.ExitCode != 3 {
				t.Fatalf("exit code %d, want the handler's 3", st.ExitCode)
			}
			return
		}
	}
}
