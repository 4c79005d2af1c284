package e2e

// The harness every e2e test stands on: the berth binary, built once, and a
// real engine reached through DOCKER_HOST (scripts/engine.sh provides one).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	// berthTimeout bounds one berth run, so a hang fails one test with its
	// output instead of the whole package at go test's global timeout.
	berthTimeout = 3 * time.Minute
	// interruptGrace is how long berth gets to wind down after the SIGINT a
	// timed-out run receives, before it is killed.
	interruptGrace = 10 * time.Second
	pollInterval   = 100 * time.Millisecond
	apiTimeout     = 30 * time.Second
)

var (
	// buildDir holds the binary; TestMain creates it and removes it afterwards.
	buildDir  string
	buildOnce sync.Once
	buildPath string
	buildErr  error

	// engineErr says why DOCKER_HOST is unusable; nil when the engine answered
	// /_ping as the run began.
	engineErr error
)

// TestMain checks the engine once for the whole run. It does not stop the run
// when there is none: engine-free tests (TestConformance) still run, while every
// test that needs the engine fails, never skips, through requireEngine.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "berth-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	buildDir = dir

	engineErr = pingEngine()
	if engineErr != nil {
		fmt.Fprintf(os.Stderr, "e2e: every test that needs the engine will FAIL.\n%s\n", engineHint())
	}
	return m.Run()
}

// engineHint is the message for a missing engine: what is wrong and the fix.
func engineHint() string {
	return fmt.Sprintf("no working container engine at DOCKER_HOST=%q: %v\n"+
		"start the private test engine with:  eval \"$(scripts/engine.sh start)\"\n"+
		"or run the whole suite with:         make test-e2e",
		os.Getenv("DOCKER_HOST"), engineErr)
}

// requireEngine fails the test when the engine did not answer at start-up, so
// a run without one is red, not silently green with skips.
func requireEngine(t *testing.T) {
	t.Helper()
	if engineErr != nil {
		t.Fatal(engineHint())
	}
}

// berthBinary returns the berth binary, building it on first use. The build is
// lazy so engine-only tests still run while cmd/berth does not compile.
func berthBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() { buildPath, buildErr = buildBerth() })
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildPath
}

// buildBerth builds the binary under test, unless BERTH_BIN names one
// already built (make test-e2e passes the one `make build` made, so the
// tests run exactly what users get).
func buildBerth() (string, error) {
	if bin := os.Getenv("BERTH_BIN"); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return "", fmt.Errorf("BERTH_BIN: %w", err)
		}
		return bin, nil
	}
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(buildDir, "berth")
	cmd := exec.Command(goTool(), "build", "-o", out, "./cmd/berth")
	cmd.Dir = root
	if output, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/berth in %s: %w\n%s", root, err, output)
	}
	return out, nil
}

// repoRoot walks up from the working directory (the e2e folder under go test)
// to the folder holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// Result is what one berth run produced.
type Result struct {
	Stdout, Stderr string
	// ExitCode is -1 when berth could not be started or was killed.
	ExitCode int
}

// String suits failure messages: t.Fatalf("up: %s", res).
func (r Result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s\n--- stderr\n%s", r.ExitCode, r.Stdout, r.Stderr)
}

// runBerth runs the built binary in dir with only PATH, HOME, DOCKER_HOST and
// env (which wins on duplicates), so the caller's COMPOSE_* variables cannot
// leak in. A non-zero exit is returned, not reported: the test decides. The
// context is not the test's, which is cancelled before t.Cleanup runs and would
// abort the `down -v` a cleanup performs. It does not demand an engine, so
// engine-free commands (config, graph) are tested without one; tests of
// engine behaviour call requireEngine or dockerAPI first.
func runBerth(t *testing.T, dir string, env []string, args ...string) Result {
	t.Helper()
	return runBerthInput(t, dir, env, "", args...)
}

// runBerthInput is runBerth with stdin as berth's standard input.
func runBerthInput(t *testing.T, dir string, env []string, stdin string, args ...string) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), berthTimeout)
	defer cancel()
	cmd, stdout, stderr := berthCommand(ctx, t, dir, env, stdin, args...)
	res := berthResult(ctx, cmd, cmd.Run(), stdout, stderr)
	t.Logf("berth %s (in %s): exit %d", strings.Join(args, " "), dir, res.ExitCode)
	return res
}

// berthCommand is berth with args in dir, as every run of the harness
// starts it: only PATH, HOME, DOCKER_HOST and env (which wins on
// duplicates), its output captured, interrupted like Ctrl-C when ctx ends.
func berthCommand(ctx context.Context, t *testing.T, dir string, env []string, stdin string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.CommandContext(ctx, berthBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"DOCKER_HOST=" + os.Getenv("DOCKER_HOST"),
	}, env...)
	// Interrupt like Ctrl-C first, so a hung berth still cleans up and prints
	// what it was waiting for.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = interruptGrace
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Stdin = strings.NewReader(stdin)
	return cmd, &stdout, &stderr
}

// berthResult is what a finished berthCommand produced; err is its Run's.
func berthResult(ctx context.Context, cmd *exec.Cmd, err error, stdout, stderr *bytes.Buffer) Result {
	// ExitCode is -1 for a nil ProcessState (not started) or a signal.
	res := Result{Stdout: stdout.String(), Stderr: stderr.String(), ExitCode: cmd.ProcessState.ExitCode()}
	switch {
	case ctx.Err() != nil:
		res.Stderr += fmt.Sprintf("\n[e2e: berth interrupted after %s]", berthTimeout)
	case err != nil && res.ExitCode == -1:
		res.Stderr += fmt.Sprintf("\n[e2e: %v]", err)
	}
	return res
}

// projectDir copies testdata/<name>/, dotfiles included, into a fresh temp
// folder named after name's last element, so tests never write into testdata
// and the directory-derived project name is predictable. Symlinks in the path
// are resolved, as berth reports resolved paths.
func projectDir(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name)
	if fi, err := os.Stat(src); err != nil || !fi.IsDir() {
		t.Fatalf("projectDir: %s is not a folder (%v)", src, err)
	}
	dst := filepath.Join(t.TempDir(), filepath.Base(name))
	copyTree(t, src, dst)
	dst, err := filepath.EvalSymlinks(dst)
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// uniqueProjectName derives a valid compose project name ([a-z0-9][a-z0-9_-]*)
// from the test name plus a random suffix, so tests, reruns and parallel runs
// never share containers, networks or volumes.
func uniqueProjectName(t *testing.T) string {
	var b strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	// Capped so container names (project-service-1) stay readable.
	base := strings.Trim(b.String(), "-_")
	base = strings.TrimRight(base[:min(len(base), 40)], "-_")
	if base == "" {
		base = "e2e"
	}
	return fmt.Sprintf("%s-%06x", base, rand.Uint32()&0xffffff)
}

// eventually polls cond until it holds or timeout passes, then fails with
// cond's last reason. Engine state settles asynchronously; polling keeps tests
// fast when it is quick and correct when it is slow, unlike fixed sleeps.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, reason := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %s: %s", what, timeout, reason)
		}
		time.Sleep(pollInterval)
	}
}

// dockerAPI makes a raw call to the engine at DOCKER_HOST and returns the
// status and body. It uses only net/http, so checks of engine state stay
// independent of berth's engine package: a bug there cannot hide itself.
// Paths are unversioned ("/containers/json?all=1"). Transport errors fail the
// test; HTTP error statuses are returned for the test to judge.
func dockerAPI(t *testing.T, method, path string) (int, []byte) {
	t.Helper()
	requireEngine(t)
	code, body, err := engineCall(method, path)
	if err != nil {
		t.Fatalf("engine %s %s: %v", method, path, err)
	}
	return code, body
}

func engineCall(method, path string) (int, []byte, error) {
	return engineCallBody(method, path, nil)
}

// dockerAPIJSON is dockerAPI with a JSON request body.
func dockerAPIJSON(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	requireEngine(t)
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	code, out, err := engineCallBody(method, path, data)
	if err != nil {
		t.Fatalf("engine %s %s: %v", method, path, err)
	}
	return code, out
}

func engineCallBody(method, path string, body []byte) (int, []byte, error) {
	ep, err := engine()
	if err != nil {
		return 0, nil, err
	}
	// Not the test's context: see runBerth.
	ctx, cancel := context.WithTimeout(context.Background(), apiTimeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, ep.base+path, reader)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := ep.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	return resp.StatusCode, out, err
}

// endpoint is how the harness reaches the engine over HTTP.
type endpoint struct {
	client *http.Client
	base   string
}

// engine is built once so polling reuses connections instead of opening (and
// leaving idle) a new transport per call.
var engine = sync.OnceValues(func() (endpoint, error) {
	return engineEndpoint(os.Getenv("DOCKER_HOST"))
})

// engineEndpoint maps a DOCKER_HOST value to an endpoint. Only unix:// and
// tcp:// are spoken; ssh:// would need the docker CLI.
func engineEndpoint(host string) (endpoint, error) {
	switch {
	case host == "":
		return endpoint{}, errors.New("DOCKER_HOST is not set")
	case strings.HasPrefix(host, "unix://"):
		sock := strings.TrimPrefix(host, "unix://")
		dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", sock)
		}
		return endpoint{&http.Client{Transport: &http.Transport{DialContext: dial}}, "http://docker"}, nil
	case strings.HasPrefix(host, "tcp://"):
		return endpoint{&http.Client{}, "http://" + strings.TrimPrefix(host, "tcp://")}, nil
	default:
		return endpoint{}, fmt.Errorf("DOCKER_HOST scheme not supported by the e2e harness: %s", host)
	}
}

// pingEngine reports why the engine is unusable, or nil when /_ping says OK.
func pingEngine() error {
	code, body, err := engineCall(http.MethodGet, "/_ping")
	if err != nil {
		return err
	}
	if code != http.StatusOK || string(body) != "OK" {
		return fmt.Errorf("/_ping answered %d %q", code, body)
	}
	return nil
}

// TestHarnessProjectName checks uniqueProjectName against the compose rule for
// names a test can produce: subtests, spaces, capitals, non-ASCII, symbols only.
func TestHarnessProjectName(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	for _, name := range []string{"Plain", "with space/and slash", "Ünïcode", "__--", strings.Repeat("x", 90)} {
		t.Run(name, func(t *testing.T) {
			a, b := uniqueProjectName(t), uniqueProjectName(t)
			if !valid.MatchString(a) || len(a) > 60 {
				t.Errorf("uniqueProjectName = %q, not a valid compose project name", a)
			}
			if a == b {
				t.Errorf("two calls both returned %q", a)
			}
		})
	}
}

// goTool finds go on PATH, else where the official tarball installs it.
func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

// execIn runs a command in a running container through the engine API and
// returns its output (a TTY exec, so the stream carries no frame headers).
func execIn(t *testing.T, id string, cmd ...string) string {
	t.Helper()
	code, body := dockerAPIJSON(t, "POST", "/containers/"+id+"/exec", map[string]any{"Cmd": cmd, "AttachStdout": true, "AttachStderr": true, "Tty": true})
	if code != 201 {
		t.Fatalf("exec create in %s: %d %s", id, code, body)
	}
	var created struct {
		ID string `json:"Id"`
	}
	if err := json.Unmarshal(body, &created); err != nil {
		t.Fatal(err)
	}
	code, out := dockerAPIJSON(t, "POST", "/exec/"+created.ID+"/start", map[string]any{"Detach": false, "Tty": true})
	if code != 200 {
		t.Fatalf("exec start in %s: %d %s", id, code, out)
	}
	return strings.ReplaceAll(string(out), "\r\n", "\n")
}
