package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary stand in for ssh: with BERTH_FAKE_SSH set
// it is run as "ssh ARGS...", writes its argv to BERTH_FAKE_SSH_ARGS, and
// either serves the fake engine API on stdin/stdout, as dial-stdio would,
// or fails the way ssh does when the host refuses.
func TestMain(m *testing.M) {
	switch os.Getenv("BERTH_FAKE_SSH") {
	case "":
		os.Exit(m.Run())
	case "serve":
		_ = os.WriteFile(os.Getenv("BERTH_FAKE_SSH_ARGS"), []byte(strings.Join(os.Args[1:], "\n")), 0o600)
		serveStdio(&fakeAPI{apiVersion: "1.41", responses: map[string]any{"/version": versionBody}})
		os.Exit(0)
	default:
		os.Stderr.WriteString("ssh: connect to host box port 2222: Connection refused\r\n")
		os.Exit(255)
	}
}

func TestSSHArgs(t *testing.T) {
	tests := []struct {
		host string
		want string
	}{
		{"ssh://box", "-o ConnectTimeout=10 -T -- box docker system dial-stdio"},
		{"ssh://me@box", "-o ConnectTimeout=10 -T -l me -- box docker system dial-stdio"},
		{"ssh://me@box:2222", "-o ConnectTimeout=10 -T -l me -p 2222 -- box docker system dial-stdio"},
		{"ssh://box:2222", "-o ConnectTimeout=10 -T -p 2222 -- box docker system dial-stdio"},
		{"ssh://[::1]:22", "-o ConnectTimeout=10 -T -p 22 -- ::1 docker system dial-stdio"},
		{"ssh://me@box/run/user/1000/docker.sock", "-o ConnectTimeout=10 -T -l me -- box docker --host unix:///run/user/1000/docker.sock system dial-stdio"},
		{"ssh://box/tmp/my%20engine.sock", "-o ConnectTimeout=10 -T -- box docker --host 'unix:///tmp/my engine.sock' system dial-stdio"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			target, err := parseSSHHost(tt.host)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(target.args(10*time.Second), " "); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParseSSHHostRejects(t *testing.T) {
	tests := []struct {
		host string
		want string
	}{
		{"ssh://me:secret@box", "password"},
		{"ssh://", "names no host"},
		{"ssh://box?x=1", "no query"},
		{"ssh://box:port", "invalid port"},
		{"tcp://box", "not an ssh:// address"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			_, err := parseSSHHost(tt.host)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestConnectSSH(t *testing.T) {
	argsFile := fakeSSH(t, "serve")
	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": "ssh://me@box:2222"}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	v, err := c.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.NegotiatedAPIVersion != "1.41" || v.Version != "20.10.24" {
		t.Errorf("Version() = %+v", v)
	}
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "-o\nConnectTimeout=10\n-T\n-l\nme\n-p\n2222\n--\nbox\ndocker\nsystem\ndial-stdio"; string(args) != want {
		t.Errorf("ssh ran with\n%s\nwant\n%s", args, want)
	}
}

func TestConnectSSHFailureQuotesSSH(t *testing.T) {
	fakeSSH(t, "fail")
	_, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": "ssh://me@box:2222"}))
	var unreachable *UnreachableError
	if !errors.As(err, &unreachable) {
		t.Fatalf("error = %v, want an *UnreachableError", err)
	}
	for _, part := range []string{
		"cannot reach a Docker engine at ssh://me@box:2222 (DOCKER_HOST)",
		"ssh -p 2222 me@box: exit status 255: ssh: connect to host box port 2222: Connection refused",
		"check that 'ssh -p 2222 me@box docker system dial-stdio' connects",
	} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error lacks %q:\n%v", part, err)
		}
	}
}

func TestConnectSSHWithoutSSH(t *testing.T) {
	old := sshBinary
	sshBinary = "berth-no-such-ssh"
	t.Cleanup(func() { sshBinary = old })
	_, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": "ssh://box"}))
	if err == nil || !strings.Contains(err.Error(), "install the OpenSSH client") {
		t.Fatalf("error = %v", err)
	}
}

// fakeSSH makes the test binary berth's ssh, in the given mode, and
// returns the file its argv will be written to.
func fakeSSH(t *testing.T, mode string) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	old := sshBinary
	sshBinary = exe
	t.Cleanup(func() { sshBinary = old })
	args := t.TempDir() + "/args"
	t.Setenv("BERTH_FAKE_SSH", mode)
	t.Setenv("BERTH_FAKE_SSH_ARGS", args)
	return args
}

// serveStdio serves h over this process's stdin and stdout until berth
// closes its end.
func serveStdio(h http.Handler) {
	l := &stdioListener{done: make(chan struct{})}
	_ = http.Serve(l, h)
}

// stdioListener hands out one connection, stdin and stdout, then waits for
// it to close so that Serve returns.
type stdioListener struct {
	once sync.Once
	done chan struct{}
	used bool
}

func (l *stdioListener) Accept() (net.Conn, error) {
	if !l.used {
		l.used = true
		return &stdioConn{Reader: os.Stdin, Writer: os.Stdout, close: func() { l.once.Do(func() { close(l.done) }) }}, nil
	}
	<-l.done
	return nil, net.ErrClosed
}

func (l *stdioListener) Close() error   { return nil }
func (l *stdioListener) Addr() net.Addr { return commandAddr{} }

type stdioConn struct {
	io.Reader
	io.Writer
	close func()
}

func (c *stdioConn) Close() error                     { c.close(); return nil }
func (c *stdioConn) LocalAddr() net.Addr              { return commandAddr{} }
func (c *stdioConn) RemoteAddr() net.Addr             { return commandAddr{} }
func (c *stdioConn) SetDeadline(time.Time) error      { return nil }
func (c *stdioConn) SetReadDeadline(time.Time) error  { return nil }
func (c *stdioConn) SetWriteDeadline(time.Time) error { return nil }
