package cmd

import (
	"context"
	"strings"
	"testing"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

const pullYAML = `
name: pulls
services:
  web: {image: busybox}
  db: {image: other:1}
`

// imageLabels maps container name to its com.docker.compose.image label.
func imageLabels(fake *enginetest.Fake) map[string]string {
	out := map[string]string{}
	for _, c := range fake.Containers() {
		out[c.Name] = c.Labels[convergence.LabelImage]
	}
	return out
}

// TestUpPullAlwaysRecreatesOnNewImage: a pull that gives a present image a
// new id recreates the containers running it within the same up; an image
// the pull left as it was keeps its containers.
func TestUpPullAlwaysRecreatesOnNewImage(t *testing.T) {
	fake := enginetest.New().WithImage("busybox", "sha256:b").WithImage("other:1", "sha256:o")
	dir := projectIn(t, pullYAML)
	mustRun(t, fake, dir, nil, "up", "-d")
	before := fake.Containers()
	fake.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "PullImage" && c.Target == "busybox" {
			fake.WithImage("busybox", "sha256:new") // the registry has a newer busybox
		}
		return nil
	})

	mustRun(t, fake, dir, nil, "up", "-d", "--pull", "always")

	if pulls := fake.Calls("PullImage"); len(pulls) != 2 {
		t.Errorf("pulls = %v, want busybox and other:1 once each", pulls)
	}
	want := map[string]string{"pulls-web-1": "sha256:new", "pulls-db-1": "sha256:o"}
	if got := imageLabels(fake); len(got) != 2 || got["pulls-web-1"] != want["pulls-web-1"] || got["pulls-db-1"] != want["pulls-db-1"] {
		t.Errorf("image labels = %v, want %v", got, want)
	}
	for _, c := range fake.Containers() {
		kept := false
		for _, b := range before {
			kept = kept || b.ID == c.ID
		}
		if kept != (c.Name == "pulls-db-1") || c.State != engine.StateRunning {
			t.Errorf("%s: kept %v, %s; want only db kept, all running", c.Name, kept, c.State)
		}
	}
}

func TestUpPullChoices(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantOut   string // in stdout
		wantErr   string // in stderr
		wantPulls int
	}{
		{name: "a missing image is pulled", args: []string{"up", "-d"}, wantPulls: 1},
		{name: "--dry-run lists the pull and pulls nothing", args: []string{"--dry-run", "up", "-d"}, wantOut: "pull:other:1 (missing)\n"},
		{name: "--pull never refuses the missing image", args: []string{"up", "-d", "--pull", "never"}, wantCode: 1,
			wantErr: "service db: image other:1 is not on the engine, and --pull never forbids pulling it"},
		{name: "an unknown --pull is refused", args: []string{"up", "-d", "--pull", "sometimes"}, wantCode: 1, wantErr: `invalid --pull "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := enginetest.New().WithImage("busybox", "sha256:b")
			code, out, errOut := berthRun(t, fake, projectIn(t, pullYAML), nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, %q, %q", code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
			}
			if pulls := fake.Calls("PullImage"); len(pulls) != tt.wantPulls {
				t.Errorf("pulls = %v, want %d", pulls, tt.wantPulls)
			}
			if tt.wantCode != 0 || tt.wantOut != "" {
				if calls := fake.Calls("CreateContainer", "CreateNetwork"); len(calls) > 0 {
					t.Errorf("made %v", calls)
				}
			}
		})
	}
}

// TestUpPullAlwaysOnAFreshEngine: a first up --pull always that gets a new
// image id creates each container once, labelled with the pulled id; it
// is not recreated at once for carrying the id from before the pull.
func TestUpPullAlwaysOnAFreshEngine(t *testing.T) {
	fake := enginetest.New().WithImage("busybox", "sha256:b").WithImage("other:1", "sha256:o")
	dir := projectIn(t, pullYAML)
	fake.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "PullImage" && c.Target == "busybox" {
			fake.WithImage("busybox", "sha256:new")
		}
		return nil
	})
	mustRun(t, fake, dir, nil, "up", "-d", "--pull", "always")
	if creates := fake.Calls("CreateContainer"); len(creates) != 2 {
		t.Errorf("creates = %v, want one per container", creates)
	}
	if got := imageLabels(fake); got["pulls-web-1"] != "sha256:new" {
		t.Errorf("image labels = %v, want web on sha256:new", got)
	}
}
