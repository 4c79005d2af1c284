package enginetest

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/berth-compose/berth/engine"
)

// ExecRun is one run of an exec'd process, as an exec handler sees it.
type ExecRun struct {
	Container string // the container's name
	Spec      engine.ExecSpec
	// Stdin reads what the caller sends (end of file at CloseWrite, or at
	// once for a detached run); Stdout and Stderr reach its output.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// ExecHandler plays an exec'd process and returns its exit code.
type ExecHandler func(ExecRun) int

// OnExec sets what exec'd processes do; without a handler they write
// nothing and exit 0 at once.
func (f *Fake) OnExec(h ExecHandler) *Fake {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.execHandler = h
	return f
}

// execRecord is one exec the fake knows.
type execRecord struct {
	container string // name
	spec      engine.ExecSpec
	started   bool
	running   bool
	exitCode  int
	size      [2]uint
}

// CreateExec records a process to run in a running container.
func (f *Fake) CreateExec(ctx context.Context, container string, spec engine.ExecSpec) (string, error) {
	if err := f.begin(ctx, "CreateExec", container); err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("running a command in", container)
	if err != nil {
		return "", err
	}
	if c.State != engine.StateRunning {
		return "", fmt.Errorf("running a command in container %s: %w", container, engine.ErrConflict.WithMessage("container "+c.Name+" is not running"))
	}
	id := f.newID("exec")
	if f.execs == nil {
		f.execs = map[string]*execRecord{}
	}
	f.execs[id] = &execRecord{container: c.Name, spec: spec, size: [2]uint{spec.Height, spec.Width}}
	return id, nil
}

// StartExec runs the exec's handler in the background, with no input and
// its output dropped.
func (f *Fake) StartExec(ctx context.Context, id string) error {
	if err := f.begin(ctx, "StartExec", id); err != nil {
		return err
	}
	run, err := f.startExec(id)
	if err != nil {
		return err
	}
	go run(ExecRun{Stdin: eofReader{}, Stdout: io.Discard, Stderr: io.Discard})
	return nil
}

// AttachExec runs the exec's handler joined to the returned stream.
func (f *Fake) AttachExec(ctx context.Context, id string, tty bool) (engine.Stream, error) {
	if err := f.begin(ctx, "AttachExec", id); err != nil {
		return nil, err
	}
	run, err := f.startExec(id)
	if err != nil {
		return nil, err
	}
	inR, inW := io.Pipe()
	s := &execStream{stdin: inW, stdinR: inR, output: make(chan chunk, 64), tty: tty}
	go func() {
		run(ExecRun{Stdin: inR, Stdout: chunkWriter{s.output, false}, Stderr: chunkWriter{s.output, true}})
		close(s.output)
	}()
	return s, nil
}

// startExec marks an exec started and returns the function that runs its
// handler and records how it ended.
func (f *Fake) startExec(id string) (func(ExecRun), error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.execs[id]
	if !ok {
		return nil, fmt.Errorf("starting exec %s: %w", id, noSuch("exec instance", id))
	}
	if e.started {
		return nil, fmt.Errorf("starting exec %s: %w", id, engine.ErrConflict.WithMessage("exec has already started"))
	}
	e.started, e.running = true, true
	h := f.execHandler
	return func(r ExecRun) {
		r.Container, r.Spec = e.container, e.spec
		code := 0
		if h != nil {
			code = h(r)
		}
		f.mu.Lock()
		e.running, e.exitCode = false, code
		f.mu.Unlock()
	}, nil
}

// InspectExec says whether the exec's handler still runs, and what it
// returned.
func (f *Fake) InspectExec(ctx context.Context, id string) (engine.ExecState, error) {
	if err := f.begin(ctx, "InspectExec", id); err != nil {
		return engine.ExecState{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.execs[id]
	if !ok {
		return engine.ExecState{}, fmt.Errorf("inspecting exec %s: %w", id, noSuch("exec instance", id))
	}
	return engine.ExecState{Running: e.running, ExitCode: e.exitCode}, nil
}

// ResizeExec records the exec's TTY size; ExecTTYSize reads it back.
func (f *Fake) ResizeExec(ctx context.Context, id string, height, width uint) error {
	if err := f.begin(ctx, "ResizeExec", id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.execs[id]
	if !ok {
		return fmt.Errorf("resizing the terminal of exec %s: %w", id, noSuch("exec instance", id))
	}
	e.size = [2]uint{height, width}
	return nil
}

// ExecTTYSize is an exec's TTY size as last set: height, width.
func (f *Fake) ExecTTYSize(id string) (uint, uint) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.execs[id]; ok {
		return e.size[0], e.size[1]
	}
	return 0, 0
}

// chunk is one write of an exec'd process.
type chunk struct {
	data   []byte
	stderr bool
}

type chunkWriter struct {
	out    chan<- chunk
	stderr bool
}

func (w chunkWriter) Write(p []byte) (int, error) {
	w.out <- chunk{data: append([]byte(nil), p...), stderr: w.stderr}
	return len(p), nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// execStream is an attachment to an exec'd process of the fake.
type execStream struct {
	stdin  *io.PipeWriter
	stdinR *io.PipeReader
	output chan chunk
	tty    bool
	once   sync.Once
}

func (s *execStream) Write(p []byte) (int, error) { return s.stdin.Write(p) }

func (s *execStream) CloseWrite() error { return s.stdin.Close() }

func (s *execStream) CopyOutput(stdout, stderr io.Writer) error {
	for c := range s.output {
		w := stdout
		if c.stderr && !s.tty {
			w = stderr
		}
		if _, err := w.Write(c.data); err != nil {
			return err
		}
	}
	return nil
}

// Close ends the caller's side: the process's stdin reads end of file and
// its further output is dropped, as when a client goes away.
func (s *execStream) Close() error {
	s.once.Do(func() {
		s.stdin.Close()
		go func() {
			for range s.output {
			}
		}()
	})
	return nil
}
