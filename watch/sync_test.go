package watch

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// syncFixture is a project dir with src/ watched into /app of web's
// containers in a fake engine that records the commands exec'd.
type syncFixture struct {
	dir, src string
	fake     *enginetest.Fake
	mu       sync.Mutex
	execs    []string
	specs    []engine.ExecSpec
	notices  []string
}

func newSyncFixture(t *testing.T, triggers ...types.Trigger) (*syncFixture, *Syncer) {
	t.Helper()
	dir := t.TempDir()
	fx := &syncFixture{dir: dir, src: filepath.Join(dir, "src")}
	must(t, os.MkdirAll(fx.src, 0o755))
	for i := range triggers {
		if triggers[i].Path == "" {
			triggers[i].Path = fx.src
		}
	}
	rules, err := Rules(testProject(dir, buildService("web", &types.BuildConfig{Context: dir}, &types.DevelopConfig{Watch: triggers})), nil)
	if err != nil {
		t.Fatal(err)
	}
	labels := func(n string) map[string]string {
		return map[string]string{labelProject: "demo", labelService: "web", labelOneoff: "False", "com.docker.compose.container-number": n}
	}
	fx.fake = enginetest.New().WithContainers(
		engine.Container{ID: "c1", Name: "demo-web-1", State: engine.StateRunning, Labels: labels("1")},
		engine.Container{ID: "c2", Name: "demo-web-2", State: engine.StateRunning, Labels: labels("2")},
		engine.Container{ID: "c3", Name: "demo-web-3", State: engine.StateExited, Labels: labels("3")},
	).OnExec(func(r enginetest.ExecRun) int {
		fx.mu.Lock()
		defer fx.mu.Unlock()
		fx.execs = append(fx.execs, r.Container+": "+strings.Join(r.Spec.Cmd, " "))
		fx.specs = append(fx.specs, r.Spec)
		return 0
	})
	s := &Syncer{Engine: fx.fake, Project: "demo", Rules: rules, Notice: func(_, m string) { fx.notices = append(fx.notices, m) }}
	return fx, s
}

func (fx *syncFixture) write(t *testing.T, rel, content string) string {
	t.Helper()
	p := filepath.Join(fx.src, rel)
	must(t, os.MkdirAll(filepath.Dir(p), 0o755))
	must(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

func fileMap(files []engine.File) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		out[f.Path] = string(f.Content)
	}
	return out
}

func TestSyncCopiesIntoEveryRunningContainer(t *testing.T) {
	fx, s := newSyncFixture(t, types.Trigger{Action: "sync", Target: "/app", Ignore: []string{"*.log"}})
	a := fx.write(t, "a.txt", "A")
	b := fx.write(t, "pkg/b.txt", "B")
	ignored := fx.write(t, "debug.log", "nope")
	if err := s.Apply(context.Background(), Batch{Service: "web", Paths: []string{a, b, ignored}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/app/a.txt": "A", "/app/pkg/b.txt": "B"}
	for _, c := range []string{"demo-web-1", "demo-web-2"} {
		if got := fileMap(fx.fake.Files(c)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s files = %v, want %v", c, got, want)
		}
	}
	if got := fx.fake.Files("demo-web-3"); len(got) != 0 {
		t.Errorf("a stopped container got files: %v", got)
	}
	if got := fx.fake.Calls("CopyToContainer"); len(got) != 2 {
		t.Errorf("CopyToContainer calls = %v, want one per running container", got)
	}
	if want := []string{"Syncing service web: 2 files"}; !reflect.DeepEqual(fx.notices, want) {
		t.Errorf("notices = %q, want %q", fx.notices, want)
	}
}

func TestSyncNewDirectoryBringsItsFiles(t *testing.T) {
	fx, s := newSyncFixture(t, types.Trigger{Action: "sync", Target: "/app"})
	fx.write(t, "new/deep/c.txt", "C")
	if err := s.Apply(context.Background(), Batch{Service: "web", Paths: []string{filepath.Join(fx.src, "new")}}); err != nil {
		t.Fatal(err)
	}
	if got := fileMap(fx.fake.Files("demo-web-1")); got["/app/new/deep/c.txt"] != "C" {
		t.Errorf("files = %v, want /app/new/deep/c.txt", got)
	}
}

func TestSyncDeletesWhatIsGone(t *testing.T) {
	fx, s := newSyncFixture(t, types.Trigger{Action: "sync", Target: "/app"})
	gone := filepath.Join(fx.src, "old.txt")
	if err := s.Apply(context.Background(), Batch{Service: "web", Paths: []string{gone}}); err != nil {
		t.Fatal(err)
	}
	want := []string{"demo-web-1: rm -rf -- /app/old.txt", "demo-web-2: rm -rf -- /app/old.txt"}
	if !reflect.DeepEqual(fx.execs, want) {
		t.Errorf("execs = %q, want %q", fx.execs, want)
	}
	if got := fx.fake.Calls("CopyToContainer"); len(got) != 0 {
		t.Errorf("a delete alone copied: %v", got)
	}
}

func TestSyncRestartAndExec(t *testing.T) {
	fx, s := newSyncFixture(t,
		types.Trigger{Action: "sync+exec", Target: "/app", Exec: types.ServiceHook{
			Command: []string{"kill", "-HUP", "1"}, User: "app", WorkingDir: "/srv", Privileged: true,
			Environment: types.NewMappingWithEquals([]string{"B=2", "A=1", "UNSET"}),
		}},
		types.Trigger{Action: "sync+restart", Target: "/etc/app", Path: ""},
	)
	conf := fx.write(t, "app.conf", "x")
	if err := s.Apply(context.Background(), Batch{Service: "web", Paths: []string{conf}}); err != nil {
		t.Fatal(err)
	}
	wantExecs := []string{"demo-web-1: kill -HUP 1", "demo-web-2: kill -HUP 1"}
	if !reflect.DeepEqual(fx.execs, wantExecs) {
		t.Errorf("execs = %q, want %q", fx.execs, wantExecs)
	}
	wantSpec := engine.ExecSpec{Cmd: []string{"kill", "-HUP", "1"}, User: "app", WorkingDir: "/srv", Privileged: true, Env: []string{"A=1", "B=2"}}
	if len(fx.specs) == 0 || !reflect.DeepEqual(fx.specs[0], wantSpec) {
		t.Errorf("exec specs = %+v, want %+v", fx.specs, wantSpec)
	}
	files := fileMap(fx.fake.Files("demo-web-1"))
	if files["/app/app.conf"] != "x" || files["/etc/app/app.conf"] != "x" {
		t.Errorf("files = %v, want the file at both targets", files)
	}
	if got := len(fx.fake.Calls("StopContainer")); got != 2 {
		t.Errorf("StopContainer calls = %d, want 2 (one restart per container)", got)
	}
	for _, c := range []string{"demo-web-1", "demo-web-2"} {
		if d, _ := fx.fake.Container(c); d.State != engine.StateRunning {
			t.Errorf("%s is %s after the restart, want running", c, d.State)
		}
	}
}

func TestSyncRebuildSupersedes(t *testing.T) {
	fx, s := newSyncFixture(t, types.Trigger{Action: "rebuild"}, types.Trigger{Action: "sync", Target: "/app"})
	var rebuilt []string
	s.Rebuild = func(_ context.Context, service string) error { rebuilt = append(rebuilt, service); return nil }
	p := fx.write(t, "main.go", "package main")
	if err := s.Apply(context.Background(), Batch{Service: "web", Paths: []string{p}}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rebuilt, []string{"web"}) {
		t.Errorf("rebuilt = %v, want [web]", rebuilt)
	}
	if got := fx.fake.Calls("CopyToContainer"); len(got) != 0 {
		t.Errorf("a rebuild also synced: %v", got)
	}
}

func TestSyncNoRunningContainer(t *testing.T) {
	fx, s := newSyncFixture(t, types.Trigger{Action: "sync", Target: "/app"})
	s.Project = "other"
	err := s.Apply(context.Background(), Batch{Service: "web", Paths: []string{fx.write(t, "a", "A")}})
	if err == nil || !strings.Contains(err.Error(), "service web has no running container") {
		t.Errorf("error = %v, want it to say web has no running container", err)
	}
}
