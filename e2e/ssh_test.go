package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sshServer is what scripts/sshd.sh ensure reports.
type sshServer struct {
	Port, User string
	// Path holds an ssh that logs in with the throwaway key and checks the
	// server against a known_hosts holding its key.
	Path string
}

// TestSSH: berth reaches an engine over ssh://, named by DOCKER_HOST or by
// a docker context, brings a project up, lists it and takes it down there.
// The engine behind the local sshd is the test engine, so its state is
// checked through the socket directly.
func TestSSH(t *testing.T) {
	requireEngine(t)
	srv := startSSHD(t)
	host := "ssh://" + srv.User + "@127.0.0.1:" + srv.Port
	path := "PATH=" + srv.Path + string(os.PathListSeparator) + os.Getenv("PATH")

	t.Run("DOCKER_HOST", func(t *testing.T) {
		checkOverSSH(t, []string{path, "DOCKER_HOST=" + host})
	})
	t.Run("context", func(t *testing.T) {
		config := sshContextConfig(t, "berth-e2e-ssh", host)
		checkOverSSH(t, []string{path, "DOCKER_HOST=", "DOCKER_CONFIG=" + config})
	})
}

func checkOverSSH(t *testing.T, env []string) {
	dir := projectDir(t, "TestSSH")
	name := uniqueProjectName(t)
	t.Cleanup(func() {
		// Through the socket, so a broken ssh path still cleans up.
		if res := runBerth(t, dir, nil, "-p", name, "down", "-v", "-t", "0"); res.ExitCode != 0 {
			t.Errorf("cleanup down -v: %s", res)
		}
	})

	if res := runBerth(t, dir, env, "-p", name, "up", "-d"); res.ExitCode != 0 {
		t.Fatalf("up over ssh: %s", res)
	}
	cs := projectContainers(t, name)
	if len(cs) != 2 || cs[0].Name != name+"-web-1" || cs[1].Name != name+"-worker-1" {
		t.Fatalf("containers on the engine = %+v", cs)
	}
	for _, c := range cs {
		if c.State.Status != "running" {
			t.Errorf("%s is %s", c.Name, c.State.Status)
		}
	}

	res := runBerth(t, dir, env, "-p", name, "ps", "--format", "{{.Name}} {{.State}}")
	if want := name + "-web-1 running\n" + name + "-worker-1 running\n"; res.ExitCode != 0 || res.Stdout != want {
		t.Errorf("ps over ssh: want\n%s\ngot %s", want, res)
	}

	if res := runBerth(t, dir, env, "-p", name, "down", "-t", "0"); res.ExitCode != 0 {
		t.Fatalf("down over ssh: %s", res)
	}
	if left := projectContainers(t, name); len(left) != 0 {
		t.Errorf("containers left after down over ssh: %+v", left)
	}
	if exists(t, "/networks/"+name+"_default") {
		t.Error("network left after down over ssh")
	}
}

// startSSHD runs scripts/sshd.sh, which installs and starts sshd once and
// reuses it afterwards; its sessions reach the engine at DOCKER_HOST.
func startSSHD(t *testing.T) sshServer {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(root, "scripts", "sshd.sh"), "ensure")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/sshd.sh ensure: %v\n%s", err, stderr.String())
	}
	vars := map[string]string{}
	for line := range strings.Lines(stdout.String()) {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok {
			vars[k] = v
		}
	}
	srv := sshServer{Port: vars["BERTH_SSH_PORT"], User: vars["BERTH_SSH_USER"], Path: vars["BERTH_SSH_PATH"]}
	if srv.Port == "" || srv.User == "" || srv.Path == "" {
		t.Fatalf("scripts/sshd.sh ensure printed %q, want BERTH_SSH_PORT, _USER and _PATH", stdout.String())
	}
	return srv
}

// sshContextConfig writes a DOCKER_CONFIG whose current context, name,
// reaches host; the layout is the docker CLI's context store.
func sshContextConfig(t *testing.T, name, host string) string {
	t.Helper()
	dir := t.TempDir()
	sum := sha256.Sum256([]byte(name))
	meta := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
	if err := os.MkdirAll(meta, 0o700); err != nil {
		t.Fatal(err)
	}
	writeJSON(t, filepath.Join(meta, "meta.json"), map[string]any{
		"Name":      name,
		"Metadata":  map[string]any{},
		"Endpoints": map[string]any{"docker": map[string]any{"Host": host, "SkipTLSVerify": false}},
	})
	writeJSON(t, filepath.Join(dir, "config.json"), map[string]any{"currentContext": name})
	return dir
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
