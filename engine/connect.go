package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/versions"
)

// dialTimeout bounds connecting to the engine, as the moby client's own
// transport does, so a host that drops packets fails in seconds.
const dialTimeout = 10 * time.Second

// Connect finds the engine like the docker CLI would (see ResolveEndpoint),
// connects, and pings it once to negotiate the API version, so a missing
// engine shows up here as an *UnreachableError rather than halfway through
// a command.
func Connect(ctx context.Context, env func(string) string) (*Client, error) {
	ep, err := ResolveEndpoint(env)
	if err != nil {
		return nil, err
	}
	return connect(ctx, ep)
}

func connect(ctx context.Context, ep Endpoint) (*Client, error) {
	if strings.HasPrefix(ep.Host, "fd://") {
		return nil, fmt.Errorf("berth cannot reach engines over fd:// (%s, from %s); use the engine's unix socket, tcp:// or ssh:// instead", ep.Host, ep.Source)
	}
	d := &dialer{host: ep.Host}
	if strings.HasPrefix(ep.Host, "ssh://") {
		target, err := parseSSHHost(ep.Host)
		if err != nil {
			return nil, fmt.Errorf("the engine address %s (from %s) is not usable: %w", ep.Host, ep.Source, err)
		}
		d.ssh = &target
	}
	api, err := newAPIClient(ep, d)
	if err != nil {
		return nil, fmt.Errorf("setting up the connection to the Docker engine at %s (%s): %w", ep.Host, ep.Source, err)
	}
	c := &Client{api: api, endpoint: ep, dialer: d}
	if err := c.Ping(ctx); err != nil {
		_ = api.Close()
		return nil, err
	}
	return c, nil
}

func newAPIClient(ep Endpoint, d *dialer) (*client.Client, error) {
	var opts []client.Opt
	if ep.TLS != nil {
		cfg, err := tlsConfig(ep.TLS)
		if err != nil {
			return nil, err
		}
		// WithHost below configures this transport for the host's scheme.
		opts = append(opts, client.WithHTTPClient(&http.Client{
			Transport:     &http.Transport{TLSClientConfig: cfg},
			CheckRedirect: client.CheckRedirect,
		}))
	}
	host := ep.Host
	if d.ssh != nil {
		host = sshAPIHost
	}
	opts = append(opts, client.WithHost(host))
	if !strings.HasPrefix(ep.Host, "npipe://") {
		// After WithHost, which would replace it. Named pipes keep the
		// client's own dialer: only it knows how to open them.
		opts = append(opts, client.WithDialContext(d.DialContext))
	}
	if ep.APIVersion != "" {
		// Pinning the version turns negotiation off, as in the docker CLI.
		opts = append(opts, client.WithAPIVersion(ep.APIVersion))
	}
	return client.New(opts...)
}

// tlsConfig builds the client side of TLS the way the docker CLI does for
// its contexts: ca.pem alone is trusted when given, TLS 1.2 at least.
func tlsConfig(s *TLSSettings) (*tls.Config, error) {
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Only when the user asked: DOCKER_TLS without DOCKER_TLS_VERIFY,
		// or a context created with skip-tls-verify.
		InsecureSkipVerify: s.SkipVerify, //nolint:gosec // user's explicit choice, as in the docker CLI
	}
	if s.CAFile != "" {
		pem, err := os.ReadFile(s.CAFile)
		if err != nil {
			return nil, fmt.Errorf("reading the TLS CA certificate: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s holds no PEM certificate", s.CAFile)
		}
		cfg.RootCAs = pool
	}
	if s.CertFile != "" && s.KeyFile != "" {
		cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("loading the TLS client certificate %s: %w", s.CertFile, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// dialer opens connections to the engine and keeps the last dial error.
// The moby client folds a refused connection into a generic "Cannot
// connect to the Docker daemon" without its cause; keeping it lets
// UnreachableError say "connection refused" or "no such file or directory".
type dialer struct {
	host string
	// ssh, for ssh:// hosts, is where each connection runs ssh to.
	ssh *sshTarget

	mu   sync.Mutex
	last error
}

func (d *dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.ssh != nil {
		conn, err := dialSSH(ctx, *d.ssh)
		d.record(err)
		if err != nil {
			return nil, err
		}
		// ssh fails after it started, when the first read finds it gone.
		conn.report = d.record
		return conn, nil
	}
	nd := net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	// The HTTP transport passes a dummy address for unix sockets; the real
	// one is the host's path.
	if path, ok := strings.CutPrefix(d.host, "unix://"); ok {
		network, addr = "unix", path
	}
	conn, err := nd.DialContext(ctx, network, addr)
	d.record(err)
	return conn, err
}

func (d *dialer) record(err error) {
	d.mu.Lock()
	d.last = err
	d.mu.Unlock()
}

// cause prefers the dial error, when there was one, to err.
func (d *dialer) cause(err error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.last != nil {
		return d.last
	}
	return err
}

// Ping checks that the engine answers, negotiating the API version on the
// first call.
func (c *Client) Ping(ctx context.Context) error {
	res, err := c.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true})
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("connecting to the Docker engine at %s: %w", c.endpoint.Host, ctxErr)
	}
	if res.APIVersion != "" && versions.LessThan(res.APIVersion, client.MinAPIVersion) {
		return fmt.Errorf("the Docker engine at %s (%s) speaks API %s, but berth needs %s or newer: upgrade Docker to 19.03 or later: %w",
			c.endpoint.Host, c.endpoint.Source, res.APIVersion, client.MinAPIVersion, err)
	}
	return &UnreachableError{Endpoint: c.endpoint, Err: c.dialer.cause(err)}
}

// UnreachableError means no engine answered where berth looked.
type UnreachableError struct {
	Endpoint Endpoint
	Err      error
}

// Error is one line: where berth tried, why there, what failed, and how to
// point berth elsewhere.
func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach a Docker engine at %s (%s): %s; %s",
		e.Endpoint.Host, e.Endpoint.Source, shortCause(e.Err), e.hint())
}

func (e *UnreachableError) Unwrap() error { return e.Err }

func (e *UnreachableError) hint() string {
	switch {
	case errors.Is(e.Err, os.ErrPermission):
		return "check that you may use the engine's socket (for example, join the docker group), or set DOCKER_HOST or DOCKER_CONTEXT"
	case strings.HasPrefix(e.Endpoint.Host, "ssh://"):
		return e.sshHint()
	case e.Endpoint.Source == envHost:
		return "start Docker there, or fix DOCKER_HOST (or unset it to use the docker CLI's current context)"
	case e.Endpoint.Context != DefaultContext:
		return "start Docker there, or choose another context with DOCKER_CONTEXT or 'docker context use', or set DOCKER_HOST"
	default:
		return "start Docker, or set DOCKER_HOST or DOCKER_CONTEXT (or run 'docker context use')"
	}
}

// shortCause drops what the message already says (the address being
// dialled) and keeps the reason on one line.
func shortCause(err error) string {
	if err == nil {
		return "no answer"
	}
	msg := err.Error()
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" && op.Err != nil {
		msg = op.Err.Error()
	}
	return strings.Join(strings.Fields(msg), " ")
}

// sshHint names the command berth ran, so the user can try it by hand.
func (e *UnreachableError) sshHint() string {
	cmd := "ssh HOST docker system dial-stdio"
	if t, err := parseSSHHost(e.Endpoint.Host); err == nil {
		cmd = "ssh " + t.display() + " docker system dial-stdio"
	}
	return fmt.Sprintf("berth runs the system ssh with your ~/.ssh/config and agent: check that '%s' connects without a prompt and that docker is installed on that host", cmd)
}
