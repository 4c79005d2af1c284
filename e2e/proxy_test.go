package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestProxyEnv: the proxies of the docker CLI's config.json reach the
// containers' environment, the entry for this engine's host winning over
// "default" and the service's own variables winning over both, and they do
// not enter the config hash, so a second up recreates nothing.
func TestProxyEnv(t *testing.T) {
	dir, name := upProject(t)
	config := t.TempDir()
	writeJSON(t, filepath.Join(config, "config.json"), map[string]any{"proxies": map[string]any{
		"default":                map[string]any{"httpProxy": "http://default-proxy:3128", "ftpProxy": "ftp://default-proxy:21"},
		os.Getenv("DOCKER_HOST"): map[string]any{"httpProxy": "http://host-proxy:3128", "noProxy": "localhost,.internal"},
	}})
	env := []string{"DOCKER_CONFIG=" + config}

	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up: %s", res)
	}
	cs := projectContainers(t, name)
	if len(cs) != 2 || cs[0].Name != name+"-own-1" || cs[1].Name != name+"-plain-1" {
		t.Fatalf("containers = %+v", cs)
	}
	checkEnv(t, cs[1].ID, map[string]string{
		"HTTP_PROXY": "http://host-proxy:3128", "http_proxy": "http://host-proxy:3128",
		"NO_PROXY": "localhost,.internal", "no_proxy": "localhost,.internal",
		"FTP_PROXY": "", "ftp_proxy": "", // only in "default", which the host's entry replaces
	})
	checkEnv(t, cs[0].ID, map[string]string{
		"HTTP_PROXY": "http://own-proxy:8080", "http_proxy": "http://host-proxy:3128",
	})

	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("second up: %s", res)
	}
	again := projectContainers(t, name)
	if len(again) != 2 || again[0].ID != cs[0].ID || again[1].ID != cs[1].ID {
		t.Errorf("second up replaced containers: before %s %s, after %+v", cs[0].ID, cs[1].ID, again)
	}
}

// checkEnv compares variables of a container's environment, as the engine
// reports it; an empty want means the variable must be absent.
func checkEnv(t *testing.T, id string, want map[string]string) {
	t.Helper()
	code, body := dockerAPI(t, "GET", "/containers/"+id+"/json")
	if code != 200 {
		t.Fatalf("inspecting %s: %d %s", id, code, body)
	}
	var c struct{ Config struct{ Env []string } }
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	for k, v := range want {
		i := slices.IndexFunc(c.Config.Env, func(e string) bool { return len(e) > len(k) && e[:len(k)+1] == k+"=" })
		switch {
		case v == "" && i >= 0:
			t.Errorf("%s has %s, want none", id[:12], c.Config.Env[i])
		case v != "" && (i < 0 || c.Config.Env[i] != k+"="+v):
			t.Errorf("%s: want %s=%s in %q", id[:12], k, v, c.Config.Env)
		}
	}
}
