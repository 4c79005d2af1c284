package engine

import (
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// stderrTail is how much of the command's stderr an error quotes: enough
// for ssh's reason ("Permission denied (publickey)"), not a whole banner.
const stderrTail = 2048

// commandConn is a net.Conn over a child process's stdin and stdout, as
// `ssh host docker system dial-stdio` offers. Closing it ends the process.
type commandConn struct {
	cmd    *exec.Cmd
	what   string // "ssh -p 2222 me@box", for messages
	stdin  io.WriteCloser
	stdout io.ReadCloser
	stderr *tailBuffer
	// report, when set, hears how the command ended (see dialer.cause).
	report func(error)
	// closing is set once Close starts: what follows is not a failure.
	closing atomic.Bool

	waitOnce sync.Once
	waitErr  error
}

func startCommandConn(path string, args []string, what string) (*commandConn, error) {
	cmd := exec.Command(path, args...)
	detach(cmd)
	c := &commandConn{cmd: cmd, what: what, stderr: &tailBuffer{max: stderrTail}}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", what, err)
	}
	if c.stdout, err = cmd.StdoutPipe(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", what, err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", what, err)
	}
	return c, nil
}

// Read turns the end of the stream into an error that says why: ssh has
// exited, and its stderr tells whether the host, the key or the remote
// docker was the problem.
func (c *commandConn) Read(p []byte) (int, error) {
	n, err := c.stdout.Read(p)
	if err == nil {
		return n, nil
	}
	return n, c.exitError(err)
}

func (c *commandConn) Write(p []byte) (int, error) {
	n, err := c.stdin.Write(p)
	if err != nil {
		return n, c.exitError(err)
	}
	return n, nil
}

// exitError waits for the process, which has closed its end, and describes
// how it ended. The reads are over by then, as exec.Cmd.Wait requires.
func (c *commandConn) exitError(err error) error {
	err = c.describe(err)
	// A connection berth closed itself ends with a killed ssh: that is no
	// failure worth naming when a later call cannot connect.
	if c.report != nil && !c.closing.Load() {
		c.report(err)
	}
	return err
}

func (c *commandConn) describe(err error) error {
	status := c.wait()
	msg := c.stderr.String()
	switch {
	case status != nil && msg != "":
		return &CommandError{What: c.what, Err: status, Stderr: msg}
	case status != nil:
		return &CommandError{What: c.what, Err: status}
	case msg != "":
		return &CommandError{What: c.what, Err: err, Stderr: msg}
	default:
		return err
	}
}

func (c *commandConn) wait() error {
	c.waitOnce.Do(func() { c.waitErr = c.cmd.Wait() })
	return c.waitErr
}

// Close ends the session: closing stdin lets dial-stdio finish, and the
// kill makes sure a stuck ssh does not outlive the connection.
func (c *commandConn) Close() error {
	c.closing.Store(true)
	_ = c.stdin.Close()
	if c.cmd.Process != nil {
		_ = c.cmd.Process.Kill()
	}
	_ = c.wait()
	return nil
}

// The HTTP transport asks for addresses and deadlines; a pipe has neither,
// and the request's context already bounds each call.
func (c *commandConn) LocalAddr() net.Addr                { return commandAddr{} }
func (c *commandConn) RemoteAddr() net.Addr               { return commandAddr{} }
func (c *commandConn) SetDeadline(t time.Time) error      { return nil }
func (c *commandConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *commandConn) SetWriteDeadline(t time.Time) error { return nil }

type commandAddr struct{}

func (commandAddr) Network() string { return "command" }
func (commandAddr) String() string  { return "command" }

// CommandError is a connection command (ssh) that ended, with the last of
// what it wrote to stderr.
type CommandError struct {
	What   string
	Err    error
	Stderr string
}

func (e *CommandError) Error() string {
	msg := strings.Join(strings.Fields(e.Stderr), " ")
	if msg == "" {
		return fmt.Sprintf("%s: %v", e.What, e.Err)
	}
	return fmt.Sprintf("%s: %v: %s", e.What, e.Err, msg)
}

func (e *CommandError) Unwrap() error { return e.Err }

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int

	mu  sync.Mutex
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if over := len(b.buf) - b.max; over > 0 {
		b.buf = b.buf[over:]
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(string(b.buf))
}

var _ net.Conn = (*commandConn)(nil)
