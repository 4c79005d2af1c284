package engine

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/moby/moby/client"
)

// fakeAPI is a minimal Docker engine API: enough for ping, version and the
// list calls. It records the API version of each versioned request.
type fakeAPI struct {
	apiVersion string
	responses  map[string]any // unversioned path -> JSON body

	mu       sync.Mutex
	versions []string
	queries  map[string]string // unversioned path -> raw query
}

var versionedPath = regexp.MustCompile(`^/v(\d+\.\d+)(/.*)$`)

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_ping" {
		w.Header().Set("Api-Version", f.apiVersion)
		w.Header().Set("Ostype", "linux")
		_, _ = w.Write([]byte("OK"))
		return
	}
	m := versionedPath.FindStringSubmatch(r.URL.Path)
	if m == nil {
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	f.versions = append(f.versions, m[1])
	if f.queries == nil {
		f.queries = map[string]string{}
	}
	f.queries[m[2]] = r.URL.RawQuery
	f.mu.Unlock()
	body, ok := f.responses[m[2]]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

func (f *fakeAPI) usedVersions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.versions...)
}

func (f *fakeAPI) query(path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.queries[path]
}

// versionBody is what Docker Engine 20.10 answers to GET /version.
var versionBody = map[string]any{
	"Platform": map[string]any{"Name": "Docker Engine - Community"},
	"Components": []any{
		map[string]any{"Name": "Engine", "Version": "20.10.24", "Details": map[string]string{
			"ApiVersion": "1.41", "GitCommit": "5d6db84", "GoVersion": "go1.19.8", "KernelVersion": "6.1.0", "MinAPIVersion": "1.12",
		}},
		map[string]any{"Name": "containerd", "Version": "1.6.20"},
	},
	"Version": "20.10.24", "ApiVersion": "1.41", "MinAPIVersion": "1.12",
	"GitCommit": "5d6db84", "GoVersion": "go1.19.8", "Os": "linux", "Arch": "amd64", "KernelVersion": "6.1.0",
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func hostOf(srv *httptest.Server) string {
	return "tcp://" + srv.Listener.Addr().String()
}

func TestConnectNegotiatesAndReportsVersion(t *testing.T) {
	api := &fakeAPI{apiVersion: "1.41", responses: map[string]any{"/version": versionBody}}
	srv := httptest.NewServer(api)
	defer srv.Close()

	c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	want := Version{
		Platform: "Docker Engine - Community", Version: "20.10.24",
		APIVersion: "1.41", MinAPIVersion: "1.12", NegotiatedAPIVersion: "1.41",
		OS: "linux", Arch: "amd64", KernelVersion: "6.1.0", GoVersion: "go1.19.8", GitCommit: "5d6db84",
	}
	if got != want {
		t.Errorf("Version()\n got %+v\nwant %+v", got, want)
	}
	if v := api.usedVersions(); len(v) != 1 || v[0] != "1.41" {
		t.Errorf("requests used API versions %v, want [1.41]", v)
	}
}

func TestConnectAPIVersion(t *testing.T) {
	tests := []struct {
		name       string
		engineAPI  string
		pinned     string
		wantClient string
	}{
		{name: "older engine: berth steps down", engineAPI: "1.41", wantClient: "1.41"},
		{name: "newer engine: berth's newest", engineAPI: "9.99", wantClient: client.MaxAPIVersion},
		{name: "DOCKER_API_VERSION pins it", engineAPI: "1.41", pinned: "1.40", wantClient: "1.40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &fakeAPI{apiVersion: tt.engineAPI, responses: map[string]any{"/version": versionBody}}
			srv := httptest.NewServer(api)
			defer srv.Close()

			c, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv), "DOCKER_API_VERSION": tt.pinned}))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			v, err := c.Version(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if v.NegotiatedAPIVersion != tt.wantClient {
				t.Errorf("NegotiatedAPIVersion = %q, want %q", v.NegotiatedAPIVersion, tt.wantClient)
			}
			if used := api.usedVersions(); len(used) != 1 || used[0] != tt.wantClient {
				t.Errorf("requests used API versions %v, want [%s]", used, tt.wantClient)
			}
		})
	}
}

func TestConnectRejectsTooOldEngine(t *testing.T) {
	srv := httptest.NewServer(&fakeAPI{apiVersion: "1.24"})
	defer srv.Close()

	_, err := Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))

	want := "speaks API 1.24, but berth needs " + client.MinAPIVersion + " or newer"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("error = %v, want it to contain %q", err, want)
	}
	var unreachable *UnreachableError
	if errors.As(err, &unreachable) {
		t.Errorf("an old engine answered, so the error should not be an UnreachableError: %v", err)
	}
}

func TestConnectUnreachable(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nothing.sock")
	refused := closedPort(t)

	tests := []struct {
		name    string
		env     map[string]string
		want    string
		wantErr error
	}{
		{
			name:    "missing socket from DOCKER_HOST",
			env:     map[string]string{"DOCKER_HOST": "unix://" + missing},
			want:    "cannot reach a Docker engine at unix://" + missing + " (DOCKER_HOST): connect: no such file or directory; start Docker there, or fix DOCKER_HOST (or unset it to use the docker CLI's current context)",
			wantErr: syscall.ENOENT,
		},
		{
			name:    "refused TCP port",
			env:     map[string]string{"DOCKER_HOST": "tcp://" + refused},
			want:    "cannot reach a Docker engine at tcp://" + refused + " (DOCKER_HOST): connect: connection refused; start Docker there, or fix DOCKER_HOST (or unset it to use the docker CLI's current context)",
			wantErr: syscall.ECONNREFUSED,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Connect(context.Background(), envOf(tt.env))

			var unreachable *UnreachableError
			if !errors.As(err, &unreachable) {
				t.Fatalf("error = %v (%T), want an *UnreachableError", err, err)
			}
			if err.Error() != tt.want {
				t.Errorf("message\n got %s\nwant %s", err, tt.want)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("errors.Is(err, %v) = false for %v", tt.wantErr, err)
			}
		})
	}
}

func TestUnreachableErrorHints(t *testing.T) {
	cause := errors.New("connect: connection refused")
	tests := []struct {
		name string
		err  *UnreachableError
		want string
	}{
		{
			name: "default",
			err:  &UnreachableError{Endpoint: Endpoint{Host: "unix:///var/run/docker.sock", Context: "default", Source: "default"}, Err: cause},
			want: "cannot reach a Docker engine at unix:///var/run/docker.sock (default): connect: connection refused; start Docker, or set DOCKER_HOST or DOCKER_CONTEXT (or run 'docker context use')",
		},
		{
			name: "context",
			err:  &UnreachableError{Endpoint: Endpoint{Host: "tcp://remote:2376", Context: "remote", Source: `context "remote" from DOCKER_CONTEXT`}, Err: cause},
			want: `cannot reach a Docker engine at tcp://remote:2376 (context "remote" from DOCKER_CONTEXT): connect: connection refused; start Docker there, or choose another context with DOCKER_CONTEXT or 'docker context use', or set DOCKER_HOST`,
		},
		{
			name: "permission denied",
			err: &UnreachableError{Endpoint: Endpoint{Host: "unix:///var/run/docker.sock", Context: "default", Source: "default"},
				Err: &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EACCES)}},
			want: "cannot reach a Docker engine at unix:///var/run/docker.sock (default): connect: permission denied; check that you may use the engine's socket (for example, join the docker group), or set DOCKER_HOST or DOCKER_CONTEXT",
		},
		{
			name: "multi-line cause stays on one line",
			err:  &UnreachableError{Endpoint: Endpoint{Host: "tcp://box:2376", Context: "default", Source: "DOCKER_HOST"}, Err: errors.New("malformed HTTP response.\n* Are you trying to connect to a TLS-enabled daemon without TLS?")},
			want: "cannot reach a Docker engine at tcp://box:2376 (DOCKER_HOST): malformed HTTP response. * Are you trying to connect to a TLS-enabled daemon without TLS?; start Docker there, or fix DOCKER_HOST (or unset it to use the docker CLI's current context)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestConnectCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Connect(ctx, envOf(map[string]string{"DOCKER_HOST": "tcp://" + closedPort(t)}))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error = %v, want context.Canceled", err)
	}
}

func TestConnectTLSVerify(t *testing.T) {
	api := &fakeAPI{apiVersion: "1.41", responses: map[string]any{"/version": versionBody}}
	srv := httptest.NewTLSServer(api)
	defer srv.Close()
	certs := t.TempDir()
	ca := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(filepath.Join(certs, "ca.pem"), ca, 0o600); err != nil {
		t.Fatal(err)
	}

	c, err := Connect(context.Background(), envOf(map[string]string{
		"DOCKER_HOST": hostOf(srv), "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": certs,
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Version(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Without TLS the same engine does not answer HTTP.
	_, err = Connect(context.Background(), envOf(map[string]string{"DOCKER_HOST": hostOf(srv)}))
	var unreachable *UnreachableError
	if !errors.As(err, &unreachable) {
		t.Fatalf("plain HTTP to a TLS engine: error = %v, want an *UnreachableError", err)
	}
}

func TestConnectTLSMissingCA(t *testing.T) {
	_, err := Connect(context.Background(), envOf(map[string]string{
		"DOCKER_HOST": "tcp://127.0.0.1:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": t.TempDir(),
	}))
	if err == nil || !strings.Contains(err.Error(), "reading the TLS CA certificate") {
		t.Fatalf("error = %v", err)
	}
}

// closedPort returns a local TCP address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close()
	return addr
}
