package cmd

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine/enginetest"
)

// fiveOnThree is five services sharing three images, spelled in more than
// one way, plus one that is only built.
const fiveOnThree = `
name: five
services:
  a: {image: "reg.example/one:1"}
  b: {image: "reg.example/one:1"}
  c: {image: "reg.example/two:1"}
  d: {image: "reg.example/three:1", depends_on: [c]}
  e: {image: "reg.example/three:1"}
  f: {build: .}
`

// TestPullEachImageOnce: every distinct image is pulled once, in one pull
// line each, and a service with only a build section is skipped.
func TestPullEachImageOnce(t *testing.T) {
	fake := enginetest.New()
	dir := projectIn(t, fiveOnThree)
	out := mustRun(t, fake, dir, nil, "--progress", "plain", "pull")
	pulls := fake.Pulls()
	slices.Sort(pulls)
	if want := []string{"reg.example/one:1", "reg.example/three:1", "reg.example/two:1"}; !slices.Equal(pulls, want) {
		t.Errorf("pulls = %v, want %v", pulls, want)
	}
	for _, line := range []string{"Image reg.example/one:1  Pulled", "Image reg.example/two:1  Pulled", "Image reg.example/three:1  Pulled",
		"Service f  Skipped - No image to be pulled"} {
		if strings.Count(out, line) != 1 {
			t.Errorf("want %q once in:\n%s", line, out)
		}
	}
	if len(fake.Containers()) != 0 || len(fake.Networks()) != 0 {
		t.Errorf("pull created something: %s %s", states(fake), resourceNames(fake))
	}
}

func TestPullSelection(t *testing.T) {
	tests := []struct {
		name string
		args []string
		held []string // images the engine has before
		want []string // images pulled, sorted
	}{
		{"named services only", []string{"d"}, nil, []string{"reg.example/three:1"}},
		{"--include-deps adds dependencies", []string{"--include-deps", "d"}, nil, []string{"reg.example/three:1", "reg.example/two:1"}},
		{"by default present images are pulled again", nil, []string{"reg.example/one:1"},
			[]string{"reg.example/one:1", "reg.example/three:1", "reg.example/two:1"}},
		{"--policy missing skips present images", []string{"--policy", "missing"}, []string{"reg.example/one:1"},
			[]string{"reg.example/three:1", "reg.example/two:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := enginetest.New()
			for _, ref := range tt.held {
				fake.WithImage(ref, "sha256:held")
			}
			mustRun(t, fake, projectIn(t, fiveOnThree), nil, append([]string{"pull"}, tt.args...)...)
			pulls := fake.Pulls()
			slices.Sort(pulls)
			if !slices.Equal(pulls, tt.want) {
				t.Errorf("pulls = %v, want %v", pulls, tt.want)
			}
		})
	}
}

func TestPullRefusesBadInput(t *testing.T) {
	dir := projectIn(t, fiveOnThree)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"pull", "nope"}, "nope"},
		{[]string{"pull", "--policy", "never"}, `invalid --policy "never": use missing or always`},
		{[]string{"push", "nope"}, "nope"},
	} {
		fake := enginetest.New()
		code, _, errOut := berthRun(t, fake, dir, nil, tt.args...)
		if code == 0 || !strings.Contains(errOut, tt.want) {
			t.Errorf("berth %v: exit %d, stderr %q; want a failure naming %q", tt.args, code, errOut, tt.want)
		}
		if len(fake.Pulls()) != 0 {
			t.Errorf("berth %v pulled %v", tt.args, fake.Pulls())
		}
	}
}

// TestPullQuiet: -q prints nothing on success, only the error otherwise.
func TestPullQuiet(t *testing.T) {
	fake := enginetest.New()
	dir := projectIn(t, fiveOnThree)
	code, out, errOut := berthRun(t, fake, dir, nil, "--progress", "plain", "pull", "-q")
	if code != 0 || out != "" || errOut != "" {
		t.Errorf("pull -q: exit %d, stdout %q, stderr %q; want 0 and nothing", code, out, errOut)
	}
	if len(fake.Pulls()) != 3 {
		t.Errorf("pull -q pulled %v", fake.Pulls())
	}
	fake.OnCall(failPull("reg.example/two:1"))
	code, out, errOut = berthRun(t, fake, dir, nil, "--progress", "plain", "pull", "-q")
	if code == 0 || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "for service c") {
		t.Errorf("pull -q of a missing image: exit %d, stdout %q, stderr %q; want the one error", code, out, errOut)
	}
}

// failPull makes the pulls of ref fail as a registry without it would.
func failPull(ref string) func(context.Context, enginetest.Call) error {
	return func(_ context.Context, c enginetest.Call) error {
		if c.Method == "PullImage" && c.Target == ref {
			return errors.New("manifest for " + ref + " not found: manifest unknown")
		}
		return nil
	}
}

// TestPullFailures: a failed pull fails the command, naming the service and
// the image, after the other pulls ran; --ignore-pull-failures makes it a
// warning and exits 0.
func TestPullFailures(t *testing.T) {
	dir := projectIn(t, fiveOnThree)
	fake := enginetest.New().OnCall(failPull("reg.example/two:1"))
	code, _, errOut := berthRun(t, fake, dir, nil, "--progress", "plain", "pull")
	if code == 0 || !strings.Contains(errOut, "Image reg.example/two:1: for service c: manifest for reg.example/two:1 not found") {
		t.Errorf("pull: exit %d, stderr:\n%s\nwant a failure naming service c and its image", code, errOut)
	}
	if len(fake.Pulls()) != 2 {
		t.Errorf("the other images: pulled %v, want both", fake.Pulls())
	}
	fake = enginetest.New().OnCall(failPull("reg.example/two:1"))
	code, _, errOut = berthRun(t, fake, dir, nil, "--progress", "plain", "pull", "--ignore-pull-failures")
	if code != 0 || !strings.Contains(errOut, "Image reg.example/two:1  Skipped: for service c: manifest for") {
		t.Errorf("pull --ignore-pull-failures: exit %d, stderr:\n%s\nwant 0 and a warning", code, errOut)
	}
}

// TestPullBuildableFailureWarns: an image that can be built only warns
// when its pull fails, and says to build it.
func TestPullBuildableFailureWarns(t *testing.T) {
	dir := projectIn(t, "name: bw\nservices:\n  app: {image: reg.example/app:1, build: .}\n  db: {image: reg.example/db:1}\n")
	fake := enginetest.New().OnCall(failPull("reg.example/app:1"))
	code, _, errOut := berthRun(t, fake, dir, nil, "--progress", "plain", "pull")
	if code != 0 || !strings.Contains(errOut, "must be built from source: berth build app") {
		t.Errorf("pull: exit %d, stderr:\n%s\nwant 0 and a hint to build app", code, errOut)
	}
	code, _, errOut = berthRun(t, fake, dir, nil, "--progress", "plain", "pull", "--ignore-buildable")
	if code != 0 || !strings.Contains(errOut, "Image reg.example/app:1  Skipped - Image can be built") {
		t.Errorf("pull --ignore-buildable: exit %d, stderr:\n%s", code, errOut)
	}
}

func TestPullDryRun(t *testing.T) {
	fake := enginetest.New()
	out := mustRun(t, fake, projectIn(t, fiveOnThree), nil, "--dry-run", "pull", "a", "b")
	if out != "pull:reg.example/one:1\n" {
		t.Errorf("pull --dry-run printed %q, want the one pull", out)
	}
	if len(fake.Pulls()) != 0 {
		t.Errorf("--dry-run pulled %v", fake.Pulls())
	}
}
