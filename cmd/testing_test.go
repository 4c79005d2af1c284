package cmd

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// The helpers of every command test: Deps over buffers, projects in temp
// folders, berth run over an in-memory engine, and views of that engine's
// state that read well in a failure message.

// testDeps returns Deps over buffers and a fixed environment.
func testDeps(env ...string) (*Deps, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	lookup := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		lookup[k] = v
	}
	return &Deps{
		In:      strings.NewReader(""),
		Out:     &out,
		Err:     &errOut,
		Getenv:  func(k string) string { return lookup[k] },
		Environ: func() []string { return env },
	}, &out, &errOut
}

// projectIn writes a compose.yaml into a new temp dir and returns the dir.
func projectIn(t *testing.T, yaml string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// busyboxFake is an empty engine that has the image the test projects use.
func busyboxFake() *enginetest.Fake {
	return enginetest.New().WithImage("busybox", "sha256:b")
}

// berthRun runs berth over e in dir (as --project-directory) and returns
// the exit code, stdout and stderr.
func berthRun(t *testing.T, e engine.Engine, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	return berthRunContext(context.Background(), t, e, dir, env, args...)
}

// berthRunContext is berthRun under ctx, for tests that interrupt berth.
func berthRunContext(ctx context.Context, t *testing.T, e engine.Engine, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	deps, out, errOut := testDeps(env...)
	deps.Engine = func(context.Context) (engine.Engine, error) { return e, nil }
	code := Execute(ctx, deps, append([]string{"--project-directory", dir}, args...))
	return code, out.String(), errOut.String()
}

// mustRun is berthRun for a step that must succeed; it returns stdout and
// stderr together.
func mustRun(t *testing.T, e engine.Engine, dir string, env []string, args ...string) string {
	t.Helper()
	code, out, errOut := berthRun(t, e, dir, env, args...)
	if code != 0 {
		t.Fatalf("berth %v: exit %d\nstderr: %s", args, code, errOut)
	}
	return out + errOut
}

// states lists the fake's containers as "name=state", sorted.
func states(fake *enginetest.Fake) string {
	var out []string
	for _, c := range fake.Containers() {
		out = append(out, c.Name+"="+string(c.State))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// resourceNames lists the fake's networks and volumes, sorted.
func resourceNames(fake *enginetest.Fake) string {
	var out []string
	for _, n := range fake.Networks() {
		out = append(out, "network:"+n.Name)
	}
	for _, v := range fake.Volumes() {
		out = append(out, "volume:"+v.Name)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// containerIDs maps each container's name to its id: a recreated container
// keeps its name but not its id.
func containerIDs(fake *enginetest.Fake) map[string]string {
	ids := map[string]string{}
	for _, c := range fake.Containers() {
		ids[c.Name] = c.ID
	}
	return ids
}

// mustContainer returns the container named name, failing the test when
// the fake has none.
func mustContainer(t *testing.T, fake *enginetest.Fake, name string) engine.ContainerDetails {
	t.Helper()
	c, ok := fake.Container(name)
	if !ok {
		t.Fatalf("no container %s; the fake has: %s", name, states(fake))
	}
	return c
}

// writeMethods are the engine.Writer methods: a call of any of them may
// change the engine, so a command that must change nothing makes none.
var writeMethods = func() []string {
	w := reflect.TypeFor[engine.Writer]()
	names := make([]string, w.NumMethod())
	for i := range names {
		names[i] = w.Method(i).Name
	}
	return names
}()

// writes lists the calls that could have changed the fake, as text.
func writes(fake *enginetest.Fake) []string {
	var out []string
	for _, c := range fake.Calls(writeMethods...) {
		out = append(out, c.String())
	}
	return out
}

// emptyDir is a folder with no compose file in it or above it.
func emptyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for d := dir; d != filepath.Dir(d); d = filepath.Dir(d) {
		for _, name := range []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"} {
			if _, err := os.Stat(filepath.Join(d, name)); err == nil {
				t.Skipf("%s has a compose file above it: discovery would find it", dir)
			}
		}
	}
	return dir
}

// stopTimeouts is an engine that remembers the timeout of the last stop of
// each container: the fake stops at once whatever the timeout, so its state
// cannot tell whether -t reached the engine.
type stopTimeouts struct {
	*enginetest.Fake
	mu   sync.Mutex
	byID map[string]string // container id -> timeout, "default" for nil
}

func newStopTimeouts(fake *enginetest.Fake) *stopTimeouts {
	return &stopTimeouts{Fake: fake, byID: map[string]string{}}
}

func (s *stopTimeouts) StopContainer(ctx context.Context, id string, timeout *time.Duration) error {
	s.mu.Lock()
	s.byID[id] = "default"
	if timeout != nil {
		s.byID[id] = timeout.String()
	}
	s.mu.Unlock()
	return s.Fake.StopContainer(ctx, id, timeout)
}

// of is the timeout the container with id was last stopped with ("" when
// it never was).
func (s *stopTimeouts) of(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byID[id]
}

// runYAML is the project of the run-path tests: a dependency, a named
// volume, an anonymous one and a network of its own.
const runYAML = `
name: run
services:
  web: {image: busybox, depends_on: [db], volumes: [/cache]}
  db: {image: busybox, volumes: [data:/data]}
  worker: {image: busybox, networks: [back]}
networks:
  back:
volumes:
  data:
`

const (
	allRunning  = "run-db-1=running run-web-1=running run-worker-1=running"
	allCreated  = "run-db-1=created run-web-1=created run-worker-1=created"
	runNetworks = "network:run_back network:run_default"
	// allResources are runYAML's, with web-1's anonymous volume.
	allResources = runNetworks + " volume:run_data anonymous:1"
)

// runResources lists the networks and volumes, with the anonymous volumes
// (web's /cache) counted rather than named: their names are random.
func runResources(fake *enginetest.Fake) string {
	var named []string
	anonymous := 0
	for _, r := range strings.Fields(resourceNames(fake)) {
		if name, ok := strings.CutPrefix(r, "volume:"); ok && isAnonymousName(name) {
			anonymous++
			continue
		}
		named = append(named, r)
	}
	if anonymous > 0 {
		named = append(named, fmt.Sprintf("anonymous:%d", anonymous))
	}
	return strings.Join(named, " ")
}

// isAnonymousName reports whether a volume is named as the engine names
// anonymous ones: 64 hex digits.
func isAnonymousName(name string) bool {
	return len(name) == 64 && strings.Trim(name, "0123456789abcdef") == ""
}

// recreated names the containers whose id differs from before, sorted.
func recreated(before, after map[string]string) []string {
	var names []string
	for name, id := range after {
		if old, ok := before[name]; ok && old != id {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	return names
}

// runCase is one command run over a fresh engine and project, and the
// engine state and output it must leave.
type runCase struct {
	name      string
	before    [][]string // steps that must succeed first, on the same engine
	edit      string     // when set, the compose file after the before steps
	args      []string
	wantCode  int
	want      string   // containers after, as states gives them
	resources string   // networks and volumes after, as runResources gives them
	recreated []string // containers of before with a new id after
	out       string   // in stdout or stderr
	noWrites  bool     // the command must not call any engine.Writer method
	check     func(t *testing.T, fake *enginetest.Fake)
}

// run runs tc on a new engine with the busybox image, in a project of yaml.
func (tc runCase) run(t *testing.T, yaml string) {
	t.Helper()
	fake := busyboxFake()
	dir := projectIn(t, yaml)
	for _, step := range tc.before {
		mustRun(t, fake, dir, nil, step...)
	}
	if tc.edit != "" {
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(tc.edit), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ids, written := containerIDs(fake), len(writes(fake))
	code, out, errOut := berthRun(t, fake, dir, nil, tc.args...)
	if code != tc.wantCode {
		t.Fatalf("berth %v: exit %d, want %d\nstdout: %s\nstderr: %s", tc.args, code, tc.wantCode, out, errOut)
	}
	if got := states(fake); got != tc.want {
		t.Errorf("containers %q, want %q", got, tc.want)
	}
	if got := runResources(fake); got != tc.resources {
		t.Errorf("networks and volumes %q, want %q", got, tc.resources)
	}
	if got := recreated(ids, containerIDs(fake)); !slices.Equal(got, tc.recreated) {
		t.Errorf("recreated %v, want %v", got, tc.recreated)
	}
	if !strings.Contains(out+errOut, tc.out) {
		t.Errorf("output %q, want it to contain %q", out+errOut, tc.out)
	}
	if w := writes(fake)[written:]; tc.noWrites && len(w) > 0 {
		t.Errorf("berth %v changed the engine: %v", tc.args, w)
	}
	if tc.check != nil {
		tc.check(t, fake)
	}
}

// runningProject is runYAML brought up on a new engine.
func runningProject(t *testing.T) (*enginetest.Fake, string) {
	t.Helper()
	fake := busyboxFake()
	dir := projectIn(t, runYAML)
	mustRun(t, fake, dir, nil, "up", "-d")
	return fake, dir
}
