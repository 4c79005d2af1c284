package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/pulltimes"
)

// TestUpFailedPullChangesNothing: an image that cannot be pulled fails up
// with one error naming the service and the image, before any network,
// volume or container is made, even for the services whose image is there.
func TestUpFailedPullChangesNothing(t *testing.T) {
	dir := projectIn(t, "name: fp\nservices:\n  web: {image: busybox, volumes: [data:/d]}\n  app: {image: reg.example/app:1}\nvolumes:\n  data: {}\n")
	for _, args := range [][]string{{"up", "-d"}, {"create"}, {"run", "--rm", "app", "true"}} {
		fake := busyboxFake().OnCall(failPull("reg.example/app:1"))
		code, _, errOut := berthRun(t, fake, dir, nil, append([]string{"--progress", "quiet"}, args...)...)
		if code == 0 || !strings.Contains(errOut, "Image reg.example/app:1: for service app: manifest for reg.example/app:1 not found") {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant one error naming app and its image", args, code, errOut)
		}
		if w := writes(fake); len(w) != 1 || w[0] != "PullImage reg.example/app:1" {
			t.Errorf("%v changed the engine: %v", args, w)
		}
	}
}

func TestUpPullPolicyNever(t *testing.T) {
	dir := projectIn(t, "name: nv\nservices:\n  app: {image: reg.example/app:1, pull_policy: never}\n")
	fake := enginetest.New()
	code, _, errOut := berthRun(t, fake, dir, nil, "up", "-d")
	if code == 0 || !strings.Contains(errOut, "service app: image reg.example/app:1 is not on the engine, and pull_policy: never forbids pulling it") {
		t.Errorf("exit %d, stderr:\n%s", code, errOut)
	}
	if w := writes(fake); len(w) != 0 {
		t.Errorf("writes %v, want none", w)
	}
	mustRun(t, fake, dir, nil, "up", "-d", "--pull", "missing")
	if got := states(fake); got != "nv-app-1=running" {
		t.Errorf("--pull missing overrides never: %s", got)
	}
}

// TestUpPullPolicyDaily: a daily image is pulled when missing, not again
// the same day, and again once the recorded pull is a day old.
func TestUpPullPolicyDaily(t *testing.T) {
	state := t.TempDir()
	env := []string{"XDG_STATE_HOME=" + state, "LOCALAPPDATA=" + state}
	dir := projectIn(t, "name: dl\nservices:\n  app: {image: reg.example/app:1, pull_policy: daily}\n")
	fake := enginetest.New()
	mustRun(t, fake, dir, env, "up", "-d")
	mustRun(t, fake, dir, env, "up", "-d")
	if got := fake.Pulls(); len(got) != 1 {
		t.Fatalf("pulls %v, want one: the second up is within the day", got)
	}
	getenv := func(k string) string {
		for _, kv := range env {
			if key, v, _ := strings.Cut(kv, "="); key == k {
				return v
			}
		}
		return ""
	}
	ep, err := engine.ResolveEndpoint(getenv)
	if err != nil {
		t.Fatal(err)
	}
	if err := pulltimes.Open(getenv, ep.Host).Record("reg.example/app:1", time.Now().Add(-25*time.Hour)); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, fake, dir, env, "--dry-run", "up", "-d")
	if !strings.Contains(out, "pull:reg.example/app:1 (pull_policy: daily, last pulled 25h0m0s ago)") {
		t.Errorf("dry run after a day:\n%s", out)
	}
	mustRun(t, fake, dir, env, "up", "-d")
	if got := fake.Pulls(); len(got) != 2 {
		t.Errorf("pulls %v, want a second one after a day", got)
	}
}
