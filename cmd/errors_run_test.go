package cmd

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

// engineCommands are the commands that reach the engine, each with the
// arguments it needs besides a service.
var engineCommands = [][]string{
	{"up", "-d"}, {"create"}, {"start"}, {"stop"}, {"restart"}, {"kill"}, {"pause"}, {"unpause"},
	{"rm", "-f"}, {"rm", "-s", "-f"}, {"down"}, {"ps"},
}

func TestUnknownServiceChangesNothing(t *testing.T) {
	commands := append(engineCommands, []string{"scale", "nosuch=2"})
	for _, args := range commands {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			fake, dir := runningProject(t)
			written := len(writes(fake))
			if args[0] != "scale" {
				args = append(args, "nosuch")
			}
			code, out, errOut := berthRun(t, fake, dir, nil, args...)
			if code != 1 || !strings.Contains(errOut, "no such service: nosuch") {
				t.Errorf("exit %d, stderr %q; want exit 1 naming the unknown service", code, errOut)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing on failure", out)
			}
			if w := writes(fake)[written:]; len(w) > 0 {
				t.Errorf("changed the engine: %v", w)
			}
			if got := states(fake); got != allRunning {
				t.Errorf("containers %q, want %q", got, allRunning)
			}
		})
	}
}

func TestBrokenComposeFileChangesNothing(t *testing.T) {
	files := []struct {
		name, yaml, wantErr string
	}{
		{name: "yaml syntax", yaml: "name: run\nservices:\n  web: {image: busybox\n", wantErr: "compose.yaml:4: invalid YAML"},
		{name: "not a mapping", yaml: "name: run\nservices: [web]\n", wantErr: "services must be a mapping"},
		{name: "unknown key", yaml: "name: run\nservices:\n  web: {image: busybox, imagee: x}\n", wantErr: `compose.yaml:3: unknown attribute "imagee"`},
	}
	for _, f := range files {
		for _, args := range engineCommands {
			t.Run(f.name+"/"+strings.Join(args, " "), func(t *testing.T) {
				fake, dir := runningProject(t)
				if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(f.yaml), 0o644); err != nil {
					t.Fatal(err)
				}
				written := len(writes(fake))
				code, _, errOut := berthRun(t, fake, dir, nil, args...)
				if code != 1 || !strings.Contains(errOut, f.wantErr) {
					t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, errOut, f.wantErr)
				}
				if w := writes(fake)[written:]; len(w) > 0 {
					t.Errorf("changed the engine: %v", w)
				}
				if got := states(fake); got != allRunning {
					t.Errorf("containers %q, want %q", got, allRunning)
				}
			})
		}
	}
}

func TestEngineUnreachable(t *testing.T) {
	deps, out, errOut := testDeps()
	deps.Engine = func(context.Context) (engine.Engine, error) {
		return nil, errors.New("cannot reach the engine at unix:///nowhere")
	}
	code := Execute(context.Background(), deps, []string{"--project-directory", projectIn(t, runYAML), "up", "-d"})
	if code != 1 || !strings.Contains(errOut.String(), "unix:///nowhere") || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 with the engine's address", code, out, errOut)
	}
}
