package e2e

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
)

// recordingEngine starts a proxy in front of the engine at DOCKER_HOST and
// returns a DOCKER_HOST value for it and a function giving the bodies of
// the requests so far whose path matches. It is for what berth asks that
// the engine's state cannot show, e.g. when the engine refuses it. Streams
// (attach, exec start) pass through: the proxy forwards protocol upgrades.
func recordingEngine(t *testing.T, path *regexp.Regexp) (string, func() []string) {
	t.Helper()
	requireEngine(t)
	ep, err := engine()
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(ep.base)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	if ep.client.Transport != nil {
		proxy.Transport = ep.client.Transport
	}
	var mu sync.Mutex
	var bodies []string
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.MatchString(r.URL.Path) {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			mu.Lock()
			bodies = append(bodies, string(body))
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	})
	sock := filepath.Join(t.TempDir(), "engine.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "unix://" + sock, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), bodies...)
	}
}
