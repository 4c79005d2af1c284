package interactive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/berth-compose/berth/engine"
)

// Options says how Run joins the user's streams to a process.
type Options struct {
	// In is the user's input; nil sends the process nothing.
	In io.Reader
	// Out and Err take the process's stdout and stderr (with a TTY the
	// process has only one stream, which goes to Out).
	Out, Err io.Writer
	// TTY says the process has a terminal. When In is a terminal too, it
	// is put in raw mode for the session, so keys such as Ctrl-C reach the
	// process instead of signalling berth.
	TTY bool
	// DetachKeys is the sequence that ends the session while the process
	// keeps running ("": DefaultDetachKeys). Only input is watched for it.
	DetachKeys string
	// Resize, when set with TTY, gives the process's terminal a size: the
	// user's at the start and on each change.
	Resize func(ctx context.Context, height, width uint) error
	// InputEnded, when set, is called once In reached its end and the
	// process's stdin was closed. An engine may end the whole attachment
	// then, process running or not, so the caller cannot take the end of
	// the output for the end of the process.
	InputEnded func()
}

// Run joins the user's streams to s until the process's output ends, the
// user detaches (ErrDetached) or ctx ends (ctx.Err()). It closes s and
// leaves the user's terminal as it found it on every path.
func Run(ctx context.Context, s engine.Stream, opts Options) error {
	defer s.Close()
	keys, err := ParseDetachKeys(opts.DetachKeys)
	if err != nil {
		return err
	}
	restore, err := makeRaw(opts)
	if err != nil {
		return err
	}
	defer restore()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if opts.TTY && opts.Resize != nil {
		go followSize(ctx, opts.Out, opts.Resize)
	}
	detached := make(chan struct{})
	if opts.In != nil {
		go sendInput(s, newDetachReader(opts.In, keys), detached, opts.InputEnded)
	}
	copied := make(chan error, 1)
	go func() { copied <- s.CopyOutput(opts.Out, opts.Err) }()
	select {
	case err = <-copied:
	case <-detached:
		err = ErrDetached
	case <-ctx.Done():
		err = ctx.Err()
	}
	return err
}

// sendInput copies the user's input to the process. At the end of the
// input the process's stdin is closed, so that it reads end of file as it
// would from a pipe; at the detach keys the session ends.
func sendInput(s engine.Stream, in io.Reader, detached chan<- struct{}, ended func()) {
	_, err := io.Copy(s, in)
	if errors.Is(err, ErrDetached) {
		close(detached)
		return
	}
	if err != nil {
		return // the stream is gone: nothing to close, and the input did not end
	}
	// Told before the close: the engine may end the attachment on it.
	if ended != nil {
		ended()
	}
	s.CloseWrite()
}

// makeRaw puts the user's terminal in raw mode when the process has a TTY
// and reads from it; the returned function restores it.
func makeRaw(opts Options) (func(), error) {
	fd, ok := terminalFd(opts.In)
	if !opts.TTY || !ok {
		return func() {}, nil
	}
	state, err := term.MakeRaw(fd)
	if err != nil {
		return nil, fmt.Errorf("putting the terminal in raw mode: %w", err)
	}
	return func() { term.Restore(fd, state) }, nil
}

// terminalFd is the descriptor of v when it is a terminal.
func terminalFd(v any) (int, bool) {
	f, ok := v.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// followSize gives the process's terminal the size of the user's, now and
// after every change, until ctx ends. Output that is no terminal has no
// size to give.
func followSize(ctx context.Context, out io.Writer, resize func(context.Context, uint, uint) error) {
	fd, ok := terminalFd(out)
	if !ok {
		return
	}
	changes, stop := sizeChanges()
	defer stop()
	last := [2]int{}
	for {
		if w, h, err := term.GetSize(fd); err == nil && [2]int{h, w} != last && h > 0 && w > 0 {
			last = [2]int{h, w}
			_ = resize(ctx, uint(h), uint(w)) // a process that just ended has no terminal to size
		}
		select {
		case <-changes:
		case <-ctx.Done():
			return
		}
	}
}
