package engine

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// sshAPIHost is the host the API client is given for ssh:// endpoints, as
// the docker CLI does: requests need some http:// host, and the dialer
// ignores it, since every connection is a fresh `ssh ... dial-stdio`.
const sshAPIHost = "http://docker.example.com"

// sshBinary is the OpenSSH client berth runs; tests point it at a stand-in.
var sshBinary = "ssh"

// sshTarget is an ssh:// engine address taken apart.
type sshTarget struct {
	User string
	Host string
	Port string
	// Socket is the engine's socket on the remote host, from the URL path;
	// empty means the remote docker CLI's own default.
	Socket string
}

// parseSSHHost reads ssh://[user@]host[:port][/socket/path] the way the
// docker CLI does: no password (ssh would ignore it, and it would sit in
// the environment in clear text), no query or fragment.
func parseSSHHost(host string) (sshTarget, error) {
	u, err := url.Parse(host)
	if err != nil {
		return sshTarget{}, err
	}
	if u.Scheme != "ssh" {
		return sshTarget{}, fmt.Errorf("%q is not an ssh:// address", host)
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return sshTarget{}, errors.New("a password in an ssh:// address is not supported; use an ssh key or agent")
	}
	if u.Hostname() == "" {
		return sshTarget{}, errors.New("the ssh:// address names no host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return sshTarget{}, errors.New("an ssh:// address takes no query or fragment")
	}
	if p := u.Port(); p != "" {
		if _, err := strconv.ParseUint(p, 10, 16); err != nil {
			return sshTarget{}, fmt.Errorf("port %q is not a number", p)
		}
	}
	return sshTarget{User: u.User.Username(), Host: u.Hostname(), Port: u.Port(), Socket: u.Path}, nil
}

// args is the ssh command line after "ssh". Like the docker CLI it is plain
// ssh, so the user's ~/.ssh/config, agent and known_hosts apply; -T because
// the session carries HTTP, not a terminal; "--" so a host starting with a
// dash cannot be read as an option.
func (t sshTarget) args(connectTimeout time.Duration) []string {
	args := []string{"-o", "ConnectTimeout=" + strconv.Itoa(int(connectTimeout.Seconds())), "-T"}
	if t.User != "" {
		args = append(args, "-l", t.User)
	}
	if t.Port != "" {
		args = append(args, "-p", t.Port)
	}
	args = append(args, "--", t.Host, "docker")
	if t.Socket != "" {
		// The remote shell reads this line, so the path is quoted.
		args = append(args, "--host", shellQuote("unix://"+t.Socket))
	}
	return append(args, "system", "dial-stdio")
}

// display is the target as a user would type it to ssh, for messages.
func (t sshTarget) display() string {
	s := t.Host
	if t.User != "" {
		s = t.User + "@" + s
	}
	if t.Port != "" {
		s = "-p " + t.Port + " " + s
	}
	return s
}

// shellQuote leaves plain words alone and single-quotes the rest.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:._-+=@%,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dialSSH starts ssh running the remote docker CLI's dial-stdio, which
// relays its standard streams to the engine's socket; the connection is
// those streams. Connection failures show up on the first read, with
// ssh's own message.
func dialSSH(ctx context.Context, t sshTarget) (*commandConn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path, err := exec.LookPath(sshBinary)
	if err != nil {
		return nil, fmt.Errorf("berth reaches ssh:// engines with the ssh command, which it cannot find (%w); install the OpenSSH client", err)
	}
	return startCommandConn(path, t.args(dialTimeout), "ssh "+t.display())
}
