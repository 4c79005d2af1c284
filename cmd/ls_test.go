package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
)

func TestCombinedStatus(t *testing.T) {
	c := func(s engine.ContainerState) engine.Container { return engine.Container{State: s} }
	tests := []struct {
		cs   []engine.Container
		want string
	}{
		{nil, ""},
		{[]engine.Container{c("running"), c("running")}, "running(2)"},
		{[]engine.Container{c("running"), c("exited"), c("paused"), c("exited")}, "exited(2), paused(1), running(1)"},
	}
	for _, tt := range tests {
		if got := combinedStatus(tt.cs); got != tt.want {
			t.Errorf("combinedStatus = %q, want %q", got, tt.want)
		}
	}
}

func TestConfigFiles(t *testing.T) {
	c := func(files ...string) engine.Container {
		if len(files) == 0 {
			return engine.Container{Labels: map[string]string{}}
		}
		return engine.Container{Labels: map[string]string{convergence.LabelConfigFiles: strings.Join(files, ",")}}
	}
	tests := []struct {
		cs   []engine.Container
		want string
	}{
		{[]engine.Container{c("/a/compose.yaml"), c("/a/compose.yaml")}, "/a/compose.yaml"},
		{[]engine.Container{c("/a/compose.yaml", "/a/override.yaml"), c("/a/compose.yaml", "/b/extra.yaml")}, "/a/compose.yaml,/a/override.yaml,/b/extra.yaml"},
		{[]engine.Container{c("/a/compose.yaml"), c()}, "N/A"},
	}
	for _, tt := range tests {
		if got := configFiles(tt.cs); got != tt.want {
			t.Errorf("configFiles = %q, want %q", got, tt.want)
		}
	}
}

func TestNameFilters(t *testing.T) {
	tests := []struct {
		filters []string
		name    string
		want    bool
	}{
		{nil, "anything", true},
		{[]string{"name=shop"}, "shop", true},
		{[]string{"name=shop"}, "webshop-2", true}, // a regular expression finds it anywhere
		{[]string{"name=^shop$"}, "webshop", false},
		{[]string{"name=^blog", "name=^shop"}, "shop", true}, // any may match
		{[]string{"NAME = shop "}, "shop", true},
	}
	for _, tt := range tests {
		f, err := parseNameFilters(tt.filters)
		if err != nil {
			t.Fatalf("%v: %v", tt.filters, err)
		}
		if got := f.match(tt.name); got != tt.want {
			t.Errorf("%v match %q = %v, want %v", tt.filters, tt.name, got, tt.want)
		}
	}
}

func TestLsRun(t *testing.T) {
	fake, dir := runningProject(t)
	mustRun(t, fake, dir, nil, "stop", "worker")
	other := map[string]string{convergence.LabelProject: "other", convergence.LabelConfigHash: "h", convergence.LabelConfigFiles: "/o/compose.yaml"}
	fake.WithContainers(
		engine.Container{Name: "other-app-1", State: engine.StateExited, Labels: other},
		// Labelled by hand, without compose's config hash: no project.
		engine.Container{Name: "fake-1", State: engine.StateRunning, Labels: map[string]string{convergence.LabelProject: "byhand"}},
	)
	files := filepath.Join(dir, "compose.yaml")
	written := len(writes(fake))
	tests := []struct {
		args     []string
		wantCode int
		want     string // stdout, exactly
		wantErr  string
	}{
		{args: []string{"ls"}, want: "NAME                STATUS              CONFIG FILES\nrun                 running(2)          " + files + "\n"},
		{args: []string{"ls", "-a"}, want: "NAME                STATUS                  CONFIG FILES\n" +
			"other               exited(1)               /o/compose.yaml\n" +
			"run                 exited(1), running(2)   " + files + "\n"},
		{args: []string{"ls", "-q"}, want: "run\n"},
		{args: []string{"ls", "-a", "-q"}, want: "other\nrun\n"},
		{args: []string{"ls", "-a", "-q", "--filter", "name=th"}, want: "other\n"},
		{args: []string{"ls", "-a", "-q", "--filter", "name=^r", "--filter", "name=^o"}, want: "other\nrun\n"},
		{args: []string{"ls", "--filter", "name=nothing", "--format", "json"}, want: "[]\n"},
		{args: []string{"ls", "-a", "--format", "json"}, want: `[{"Name":"other","Status":"exited(1)","ConfigFiles":"/o/compose.yaml"},` +
			`{"Name":"run","Status":"exited(1), running(2)","ConfigFiles":"` + files + `"}]` + "\n"},
		{args: []string{"ls", "--filter", "status=running"}, wantCode: 1, wantErr: `invalid --filter "status=running": ls filters by name only`},
		{args: []string{"ls", "--filter", "run"}, wantCode: 1, wantErr: `invalid --filter "run": write it as name=VALUE`},
		{args: []string{"ls", "--filter", "name=("}, wantCode: 1, wantErr: "regular expression"},
		{args: []string{"ls", "--format", "yaml"}, wantCode: 1, wantErr: `invalid --format "yaml"`},
		{args: []string{"ls", "run"}, wantCode: 1, wantErr: `unknown command "run" for "berth ls"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.want)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
	if w := writes(fake)[written:]; len(w) > 0 {
		t.Errorf("ls changed the engine: %v", w)
	}
}

// TestLsWithoutProject: ls needs no compose file, and reads no project.
func TestLsWithoutProject(t *testing.T) {
	fake, _ := runningProject(t)
	if out := mustRun(t, fake, emptyDir(t), nil, "ls", "-q"); out != "run\n" {
		t.Errorf("ls -q away from the project = %q", out)
	}
}
