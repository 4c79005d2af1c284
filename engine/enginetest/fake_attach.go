package enginetest

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/berth-compose/berth/engine"
)

// AttachContainer joins a container's streams. The stream's output is
// what the container writes (WriteStdout, WriteStderr) from now on; it
// ends once the container, started, stops running, or at Close. What is
// written to the stream is kept as the container's stdin (Stdin).
func (f *Fake) AttachContainer(ctx context.Context, id string, opts engine.AttachOptions) (engine.Stream, error) {
	if err := f.begin(ctx, "AttachContainer", id); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("attaching to", id)
	if err != nil {
		return nil, err
	}
	run := c.runs // a running container's current run
	if !c.running() {
		run++ // a stopped or created one's next
	}
	return &fakeStream{f: f, id: c.ID, next: len(c.output), run: run, opts: opts, closed: make(chan struct{})}, nil
}

// Stdin is everything attached streams have written to a container's
// stdin so far.
func (f *Fake) Stdin(container string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("reading the stdin of", container)
	if err != nil {
		return "", err
	}
	return string(c.stdin), nil
}

// ResizeContainer records the size; TTYSize reads it back.
func (f *Fake) ResizeContainer(ctx context.Context, id string, height, width uint) error {
	if err := f.begin(ctx, "ResizeContainer", id); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("resizing the terminal of", id)
	if err != nil {
		return err
	}
	if !c.tty {
		return fmt.Errorf("resizing the terminal of container %s: %w", id, engine.ErrConflict.WithMessage("the container has no TTY"))
	}
	c.size = [2]uint{height, width}
	return nil
}

// TTYSize is a container's TTY size as last set: height, width.
func (f *Fake) TTYSize(container string) (uint, uint, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.container("reading the terminal size of", container)
	if err != nil {
		return 0, 0, err
	}
	return c.size[0], c.size[1], nil
}

// fakeStream is an attachment to one of the fake's containers.
type fakeStream struct {
	f      *Fake
	id     string
	next   int // the first output entry not yet sent
	run    int // the run whose output the stream carries
	opts   engine.AttachOptions
	once   sync.Once
	closed chan struct{}
}

func (s *fakeStream) Write(p []byte) (int, error) {
	select {
	case <-s.closed:
		return 0, io.ErrClosedPipe
	default:
	}
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, ok := s.f.containers[s.id]
	if !ok {
		return 0, io.ErrClosedPipe
	}
	c.stdin = append(c.stdin, p...)
	return len(p), nil
}

func (s *fakeStream) CloseWrite() error { return nil }

func (s *fakeStream) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

func (s *fakeStream) CopyOutput(stdout, stderr io.Writer) error {
	for {
		batch, more, wake := s.take()
		for _, e := range batch {
			w := stdout
			if e.stderr && !s.opts.TTY {
				w = stderr
			}
			if (e.stderr && !s.opts.Stderr) || (!e.stderr && !s.opts.Stdout) {
				continue
			}
			if _, err := io.WriteString(w, e.data); err != nil {
				return err
			}
		}
		if !more {
			return nil
		}
		select {
		case <-wake:
		case <-s.closed:
			return nil
		}
	}
}

// take returns the output written since the last call, and whether more
// can come: the container is there, and its run is yet to start or still
// going.
func (s *fakeStream) take() ([]logEntry, bool, <-chan struct{}) {
	s.f.mu.Lock()
	defer s.f.mu.Unlock()
	c, ok := s.f.containers[s.id]
	if !ok {
		return nil, false, nil
	}
	batch := c.output[s.next:]
	s.next = len(c.output)
	more := c.runs < s.run || (c.running() && c.runs == s.run)
	return batch, more, c.changes()
}
