package cmd

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine/enginetest"
)

const pushYAML = `
name: ps
services:
  web: {image: "reg.example/web:1", build: {context: ., tags: ["reg.example/web:latest"]}, depends_on: [api]}
  api: {image: "reg.example/api:1", build: .}
  db: {image: "db:1"}
`

// pushed lists what the fake registry holds of the project's images.
func pushed(fake *enginetest.Fake) []string {
	var out []string
	for _, ref := range []string{"reg.example/web:1", "reg.example/web:latest", "reg.example/api:1", "db:1"} {
		if _, ok := fake.RegistryImage(ref); ok {
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return out
}

func builtFake() *enginetest.Fake {
	return enginetest.New().WithImage("reg.example/web:1", "sha256:w").WithImage("reg.example/web:latest", "sha256:w").
		WithImage("reg.example/api:1", "sha256:a").WithImage("db:1", "sha256:d")
}

func TestPush(t *testing.T) {
	dir := projectIn(t, pushYAML)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"every built service, with its tags; db is not built", nil, []string{"reg.example/api:1", "reg.example/web:1", "reg.example/web:latest"}},
		{"named services only", []string{"web"}, []string{"reg.example/web:1", "reg.example/web:latest"}},
		{"--include-deps adds dependencies", []string{"--include-deps", "web"}, []string{"reg.example/api:1", "reg.example/web:1", "reg.example/web:latest"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := builtFake()
			out := mustRun(t, fake, dir, nil, append([]string{"--progress", "plain", "push"}, tt.args...)...)
			if got := pushed(fake); !slices.Equal(got, tt.want) {
				t.Errorf("pushed %v, want %v", got, tt.want)
			}
			if len(tt.args) == 0 && !strings.Contains(out, "Service db  Skipped") {
				t.Errorf("no skip line for db:\n%s", out)
			}
		})
	}
}

func TestPushQuietAndFailures(t *testing.T) {
	dir := projectIn(t, pushYAML)
	fake := builtFake()
	code, out, errOut := berthRun(t, fake, dir, nil, "push", "-q")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("push -q: exit %d, %q %q; want 0 and nothing", code, out, errOut)
	}
	failAPI := func(_ context.Context, c enginetest.Call) error {
		if c.Method == "PushImage" && c.Target == "reg.example/api:1" {
			return errors.New("denied: requested access to the resource is denied")
		}
		return nil
	}
	fake = builtFake().OnCall(failAPI)
	code, _, errOut = berthRun(t, fake, dir, nil, "--progress", "plain", "push")
	if code == 0 || !strings.Contains(errOut, "Image reg.example/api:1: for service api: denied") {
		t.Errorf("push: exit %d, stderr:\n%s", code, errOut)
	}
	fake = builtFake().OnCall(failAPI)
	code, _, errOut = berthRun(t, fake, dir, nil, "--progress", "plain", "push", "--ignore-push-failures")
	if code != 0 || !strings.Contains(errOut, "Image reg.example/api:1  Skipped: for service api: denied") {
		t.Errorf("push --ignore-push-failures: exit %d, stderr:\n%s", code, errOut)
	}
	if got := pushed(fake); !slices.Equal(got, []string{"reg.example/web:1", "reg.example/web:latest"}) {
		t.Errorf("the other pushes: %v", got)
	}
}
