package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEnvFileServicesAdoptComposeContainers: containers labelled as docker
// compose labels them for services with env files (the config hashes it
// recorded for the shared conformance case 76) are up to date for berth:
// up -d recreates none of them.
func TestEnvFileServicesAdoptComposeContainers(t *testing.T) {
	requireEngine(t)
	src := filepath.Join(conformanceRoots(t)[0], "76-hash-env-file")
	dir := filepath.Join(t.TempDir(), "project")
	copyTree(t, filepath.Join(src, "files"), dir)
	name := uniqueProjectName(t)
	t.Cleanup(func() { runBerth(t, dir, nil, "-p", name, "down", "-t", "0") })

	network := name + "_default"
	code, body := dockerAPIJSON(t, "POST", "/networks/create", map[string]any{"Name": network, "Labels": map[string]string{
		"com.docker.compose.project": name, "com.docker.compose.network": "default",
	}})
	if code != 201 {
		t.Fatalf("creating %s: %d %s", network, code, body)
	}
	for service, hash := range recordedHashes(t, filepath.Join(src, "expected")) {
		createComposeContainer(t, name, service, hash, network)
	}
	before := ids(t, name)
	res := mustBerth(t, dir, name, nil, "up", "-d")
	expectReplaced(t, "berth up -d", before, ids(t, name))
	if strings.Contains(res.Stderr, "Recreate") {
		t.Errorf("up -d recreated a container:\n%s", res.Stderr)
	}
}

// recordedHashes reads "service hash" lines as `config --hash` prints them.
func recordedHashes(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		service, hash, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: not a hash line: %q", path, line)
		}
		out[service] = hash
	}
	return out
}

// createComposeContainer makes and starts container 1 of service with the
// labels docker compose gives it, as compose would have left it running.
func createComposeContainer(t *testing.T, project, service, hash, network string) {
	t.Helper()
	container := project + "-" + service + "-1"
	code, body := dockerAPIJSON(t, "POST", "/containers/create?name="+container, map[string]any{
		"Image": "busybox", "Cmd": []string{"sleep", "3600"},
		"Labels": map[string]string{
			"com.docker.compose.project": project, "com.docker.compose.service": service,
			"com.docker.compose.container-number": "1", "com.docker.compose.oneoff": "False",
			"com.docker.compose.config-hash": hash, "com.docker.compose.version": "5.7.0",
		},
		"HostConfig":       map[string]any{"Init": true, "NetworkMode": network},
		"NetworkingConfig": map[string]any{"EndpointsConfig": map[string]any{network: map[string]any{"Aliases": []string{service}}}},
	})
	if code != 201 {
		t.Fatalf("creating %s: %d %s", container, code, body)
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	if code, body := dockerAPI(t, "POST", "/containers/"+created.ID+"/start"); code != 204 {
		t.Fatalf("starting %s: %d %s", container, code, body)
	}
}
