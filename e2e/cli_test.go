package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionReportsEngine: `berth version` names the engine it reached,
// which the engine's own /version confirms.
func TestVersionReportsEngine(t *testing.T) {
	code, body := dockerAPI(t, "GET", "/version")
	if code != 200 {
		t.Fatalf("engine /version: %d", code)
	}
	var engineVersion struct{ Version, ApiVersion string }
	if err := json.Unmarshal(body, &engineVersion); err != nil {
		t.Fatal(err)
	}

	res := runBerth(t, t.TempDir(), nil, "version")
	if res.ExitCode != 0 || !strings.HasPrefix(res.Stdout, "berth version ") ||
		!strings.Contains(res.Stdout, engineVersion.Version) || !strings.Contains(res.Stdout, engineVersion.ApiVersion) {
		t.Fatalf("version does not name engine %s (API %s): %s", engineVersion.Version, engineVersion.ApiVersion, res)
	}

	res = runBerth(t, t.TempDir(), nil, "version", "--format", "json")
	var got struct {
		Version string
		Engine  struct {
			Version              string `json:"version"`
			NegotiatedAPIVersion string `json:"negotiated_api_version"`
		}
	}
	if err := json.Unmarshal([]byte(res.Stdout), &got); err != nil || res.ExitCode != 0 {
		t.Fatalf("version --format json: %v: %s", err, res)
	}
	if got.Engine.Version != engineVersion.Version || got.Engine.NegotiatedAPIVersion == "" {
		t.Errorf("json engine = %+v, want version %s and a negotiated API", got.Engine, engineVersion.Version)
	}
}

// TestVersionWithoutEngine: with no engine at DOCKER_HOST, berth says where
// it tried and how to point it elsewhere, in one line, and fails.
func TestVersionWithoutEngine(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "nothing.sock")
	res := runBerth(t, t.TempDir(), []string{"DOCKER_HOST=unix://" + sock}, "version")
	if res.ExitCode == 0 {
		t.Fatalf("exit 0 without an engine: %s", res)
	}
	msg := strings.TrimSpace(res.Stderr)
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, sock) || !strings.Contains(msg, "DOCKER_HOST") {
		t.Errorf("want one line naming %s and DOCKER_HOST, got: %q", sock, msg)
	}
	if short := runBerth(t, t.TempDir(), []string{"DOCKER_HOST=unix://" + sock}, "version", "--short"); short.ExitCode != 0 {
		t.Errorf("version --short needs no engine: %s", short)
	}
}

// TestGraphOfExample: `berth graph` draws examples/hello as the loader
// understood it, dependencies first.
func TestGraphOfExample(t *testing.T) {
	dir := exampleDir(t, "hello")
	res := runBerth(t, dir, nil, "graph")
	want := "content\ndb\nweb\n  -> content (service_completed_successfully)\n  -> db (service_healthy)\nworker\n  -> web (service_started)\n"
	if res.ExitCode != 0 || res.Stdout != want {
		t.Fatalf("graph:\n%s\nwant stdout:\n%s", res, want)
	}
	res = runBerth(t, dir, nil, "graph", "--format", "dot", "worker")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, `"worker" -> "web" [label="service_started"];`) ||
		!strings.HasPrefix(res.Stdout, `digraph "hello" {`) {
		t.Fatalf("graph --format dot worker: %s", res)
	}
}

// TestExamplesLoad: every runnable example loads and graphs cleanly.
func TestExamplesLoad(t *testing.T) {
	examples, err := filepath.Glob(filepath.Join("..", "examples", "*", "compose.yaml"))
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples found: %v", err)
	}
	for _, f := range examples {
		name := filepath.Base(filepath.Dir(f))
		t.Run(name, func(t *testing.T) {
			dir := exampleDir(t, name)
			for _, args := range [][]string{{"config", "-q"}, {"graph", "--resources"}} {
				if res := runBerth(t, dir, nil, args...); res.ExitCode != 0 || res.Stderr != "" {
					t.Errorf("berth %s: %s", strings.Join(args, " "), res)
				}
			}
		})
	}
}

// TestComposeFileFromStdin: `-f -` reads the project from standard input,
// named after the working directory as docker compose does.
func TestComposeFileFromStdin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fromstdin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	res := runBerthInput(t, dir, nil, "services:\n  app:\n    image: from/stdin:1\n", "-f", "-", "config", "--images")
	if res.ExitCode != 0 || res.Stdout != "from/stdin:1\n" {
		t.Fatalf("berth -f - config --images: %s", res)
	}
	res = runBerthInput(t, dir, nil, "services:\n  app:\n    image: x\n", "-f", "-", "config", "--volumes")
	if res.ExitCode != 0 {
		t.Fatalf("project name from the working directory: %s", res)
	}
}

// TestCompletion: shells get a completion script, and service names
// complete from the project in the working directory.
func TestCompletion(t *testing.T) {
	dir := exampleDir(t, "hello")
	res := runBerth(t, dir, nil, "completion", "bash")
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "__start_berth") {
		t.Fatalf("completion bash: exit %d, %d bytes", res.ExitCode, len(res.Stdout))
	}
	res = runBerth(t, dir, nil, "__complete", "graph", "w")
	lines := strings.Split(res.Stdout, "\n")
	if res.ExitCode != 0 || len(lines) < 3 || lines[0] != "web" || lines[1] != "worker" {
		t.Fatalf("completing `graph w`: %s", res)
	}
}

// exampleDir copies examples/<name> into a temp folder of the same name.
func exampleDir(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	copyTree(t, filepath.Join("..", "examples", name), dst)
	dst, err := filepath.EvalSymlinks(dst)
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
