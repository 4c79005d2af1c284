package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/moby/client"
)

// Endpoint says where berth connects and why there.
type Endpoint struct {
	// Host is the engine address, normalised like the docker CLI does:
	// unix:///var/run/docker.sock, tcp://host:2376, ssh://user@host.
	Host string
	// TLS is nil for a plain connection.
	TLS *TLSSettings
	// APIVersion pins the API version (DOCKER_API_VERSION); empty means
	// negotiate with the engine.
	APIVersion string
	// Context is the docker context in use; "default" when none is.
	Context string
	// Source tells the user how the host was chosen: "DOCKER_HOST",
	// `context "foo" from DOCKER_CONTEXT`, `context "foo" from <config.json>`
	// or "default". Error messages quote it.
	Source string
}

// TLSSettings are the TLS files and policy for an endpoint. An empty file
// name means that file is not used: no CA file trusts the system roots, no
// cert and key sends no client certificate.
type TLSSettings struct {
	CAFile     string
	CertFile   string
	KeyFile    string
	SkipVerify bool
}

// DefaultContext is the docker context that means "no context": DOCKER_HOST,
// the DOCKER_TLS* variables, or the platform's default socket.
const DefaultContext = "default"

const (
	envHost       = "DOCKER_HOST"
	envContext    = "DOCKER_CONTEXT"
	envConfig     = "DOCKER_CONFIG"
	envAPIVersion = "DOCKER_API_VERSION"
	envCertPath   = "DOCKER_CERT_PATH"
	envTLSVerify  = "DOCKER_TLS_VERIFY"
	envTLS        = "DOCKER_TLS"

	defaultTLSHost = "tcp://localhost:2376"
)

// ResolveEndpoint picks the engine the docker CLI would talk to, reading the
// environment through env and the docker CLI's config and context store from
// disk. In order: DOCKER_HOST; DOCKER_CONTEXT; currentContext in
// $DOCKER_CONFIG/config.json (default ~/.docker); the platform default.
// It makes no network call.
func ResolveEndpoint(env func(string) string) (Endpoint, error) {
	apiVersion := strings.TrimSpace(env(envAPIVersion))
	if host := env(envHost); host != "" {
		ep, err := defaultEndpoint(env, host, envHost)
		if err != nil {
			return Endpoint{}, fmt.Errorf("DOCKER_HOST=%q is not a valid engine address: %w; use unix:///path/to/docker.sock, tcp://host:port or ssh://user@host", host, err)
		}
		ep.APIVersion = apiVersion
		return ep, nil
	}

	dir := configDir(env)
	name, from := env(envContext), envContext
	if name == "" {
		var err error
		if name, err = currentContext(dir); err != nil {
			return Endpoint{}, err
		}
		from = filepath.Join(dir, "config.json")
	}

	var ep Endpoint
	var err error
	if name == "" || name == DefaultContext {
		ep, err = defaultEndpoint(env, "", "default")
	} else {
		ep, err = contextEndpoint(dir, name, from)
	}
	if err != nil {
		return Endpoint{}, err
	}
	ep.APIVersion = apiVersion
	return ep, nil
}

// defaultEndpoint is the docker CLI's "default" context: the given host (or
// the platform socket) with TLS from DOCKER_TLS, DOCKER_TLS_VERIFY and
// DOCKER_CERT_PATH. Like the docker CLI, any non-empty DOCKER_TLS_VERIFY,
// even "0", turns verification on, and TLS without a host means
// tcp://localhost:2376.
func defaultEndpoint(env func(string) string, host, source string) (Endpoint, error) {
	verify := env(envTLSVerify) != ""
	useTLS := verify || env(envTLS) != ""
	host, err := normalizeHost(host, useTLS)
	if err != nil {
		return Endpoint{}, err
	}
	ep := Endpoint{Host: host, Context: DefaultContext, Source: source}
	if !useTLS || isSocket(host) {
		return ep, nil
	}
	certDir := env(envCertPath)
	if certDir == "" {
		certDir = configDir(env)
	}
	// The docker CLI always wants ca.pem here, but drops the client
	// certificate and key when they are missing.
	ep.TLS = &TLSSettings{
		CAFile:     filepath.Join(certDir, "ca.pem"),
		CertFile:   existing(filepath.Join(certDir, "cert.pem")),
		KeyFile:    existing(filepath.Join(certDir, "key.pem")),
		SkipVerify: !verify,
	}
	return ep, nil
}

// contextMeta is the part of a docker CLI context's meta.json berth reads.
type contextMeta struct {
	Endpoints map[string]json.RawMessage
}

type contextDockerEndpoint struct {
	Host          string
	SkipTLSVerify bool
}

// contextEndpoint reads a named context from the docker CLI's store, where
// folders are named by the SHA-256 of the context name. from says where the
// name came from, for messages.
func contextEndpoint(dir, name, from string) (Endpoint, error) {
	sum := sha256.Sum256([]byte(name))
	id := hex.EncodeToString(sum[:])
	metaPath := filepath.Join(dir, "contexts", "meta", id, "meta.json")

	data, err := os.ReadFile(metaPath)
	if errors.Is(err, fs.ErrNotExist) {
		return Endpoint{}, fmt.Errorf("docker context %q (from %s) does not exist in %s; run 'docker context ls' to list contexts, or 'docker context use default'", name, from, filepath.Join(dir, "contexts"))
	}
	if err != nil {
		return Endpoint{}, fmt.Errorf("reading docker context %q: %w", name, err)
	}
	var meta contextMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return Endpoint{}, fmt.Errorf("reading docker context %q: %s is not valid JSON: %w", name, metaPath, err)
	}
	raw, ok := meta.Endpoints["docker"]
	if !ok {
		return Endpoint{}, fmt.Errorf("docker context %q has no docker endpoint (%s)", name, metaPath)
	}
	var dep contextDockerEndpoint
	if err := json.Unmarshal(raw, &dep); err != nil {
		return Endpoint{}, fmt.Errorf("reading docker context %q: its docker endpoint in %s: %w", name, metaPath, err)
	}
	host, err := normalizeHost(dep.Host, false)
	if err != nil {
		return Endpoint{}, fmt.Errorf("docker context %q has an invalid host %q: %w", name, dep.Host, err)
	}

	ep := Endpoint{Host: host, Context: name, Source: fmt.Sprintf("context %q from %s", name, from)}
	if isSocket(host) {
		return ep, nil
	}
	tlsDir := filepath.Join(dir, "contexts", "tls", id, "docker")
	settings := TLSSettings{
		CAFile:     existing(filepath.Join(tlsDir, "ca.pem")),
		CertFile:   existing(filepath.Join(tlsDir, "cert.pem")),
		KeyFile:    existing(filepath.Join(tlsDir, "key.pem")),
		SkipVerify: dep.SkipTLSVerify,
	}
	// A client certificate needs both halves; the docker CLI ignores one alone.
	if settings.CertFile == "" || settings.KeyFile == "" {
		settings.CertFile, settings.KeyFile = "", ""
	}
	// Like the docker CLI: no TLS material and no skip flag means plain TCP.
	if settings != (TLSSettings{}) {
		ep.TLS = &settings
	}
	return ep, nil
}

// configDir is the docker CLI's config folder: $DOCKER_CONFIG, else
// ~/.docker. Empty when neither is known, which reads as "no config".
func configDir(env func(string) string) string {
	if dir := env(envConfig); dir != "" {
		return dir
	}
	home := env("HOME")
	if home == "" {
		home = env("USERPROFILE")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, ".docker")
}

// currentContext reads the context chosen with 'docker context use'.
// A missing config file is normal: it means the default context.
func currentContext(dir string) (string, error) {
	if dir == "" {
		return "", nil
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the docker CLI config: %w", err)
	}
	var cfg struct {
		CurrentContext string `json:"currentContext"`
	}
	if err := json.Unmarshal(data, &cfg); err != nil {
		return "", fmt.Errorf("reading the docker CLI config: %s is not valid JSON: %w; fix or remove it, or set DOCKER_HOST or DOCKER_CONTEXT", path, err)
	}
	return cfg.CurrentContext, nil
}

// normalizeHost mirrors the docker CLI's host parsing: an empty host is the
// platform default (or tcp://localhost:2376 with TLS), a bare "host:port"
// is TCP, and TCP addresses get localhost and port 2375 filled in.
func normalizeHost(host string, useTLS bool) (string, error) {
	host = strings.TrimSpace(host)
	if host == "" {
		if useTLS {
			return defaultTLSHost, nil
		}
		return client.DefaultDockerHost, nil
	}
	proto, addr, ok := strings.Cut(host, "://")
	if !ok {
		proto, addr = "tcp", host
	}
	switch proto {
	case "tcp":
		return normalizeTCP(addr)
	case "unix":
		return socketHost(proto, addr, "/var/run/docker.sock")
	case "npipe":
		return socketHost(proto, addr, "//./pipe/docker_engine")
	case "ssh", "fd":
		return host, nil
	default:
		return "", fmt.Errorf("unknown scheme %q", proto)
	}
}

func normalizeTCP(addr string) (string, error) {
	u, err := url.Parse("tcp://" + addr)
	if err != nil {
		return "", err
	}
	h, port := u.Hostname(), u.Port()
	if h == "" {
		h = "localhost"
	}
	if port == "" {
		port = "2375"
	}
	return "tcp://" + net.JoinHostPort(h, port) + u.Path, nil
}

func socketHost(proto, addr, def string) (string, error) {
	if strings.Contains(addr, "://") {
		return "", fmt.Errorf("%q is not a valid %s address", addr, proto)
	}
	if addr == "" {
		addr = def
	}
	return proto + "://" + addr, nil
}

// isSocket reports hosts reached through a local socket, which never use TLS.
func isSocket(host string) bool {
	proto, _, _ := strings.Cut(host, "://")
	return proto == "unix" || proto == "npipe" || proto == "fd"
}

// existing returns path if something is there, else "".
func existing(path string) string {
	if _, err := os.Stat(path); err != nil {
		return ""
	}
	return path
}
