package progress

import (
	"bytes"
	"strings"
	"testing"
)

// buildRun is an image built in two steps, the second from the cache.
func buildRun() []Event {
	parent := ID(Image, "shop-web")
	return []Event{
		{Kind: Image, Name: "shop-web", Status: Working, Text: "Building", Time: at(0)},
		{Kind: Step, Name: "web [1/2] FROM busybox", Parent: parent, Status: Working, Text: "Running", Time: at(100)},
		{Kind: Step, Name: "web [1/2] FROM busybox", Parent: parent, Status: Done, Text: "Done", Time: at(200)},
		{Kind: Step, Name: "web [2/2] RUN make", Parent: parent, Status: Working, Text: "Running", Time: at(300)},
		{Kind: Step, Name: "web [2/2] RUN make", Parent: parent, Status: Done, Text: "Cached", Time: at(400)},
		{Kind: Image, Name: "shop-web", Status: Done, Text: "Built", Time: at(500)},
	}
}

// TestPlainShowsBuildSteps: unlike pull layers, each build step gets its
// lines in plain output, saying whether it came from the cache.
func TestPlainShowsBuildSteps(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{now: at(0)}
	p := newPlain(&out, Options{Now: clock.Now})
	for _, e := range buildRun() {
		p.Emit(e)
	}
	for _, want := range []string{" Step web [1/2] FROM busybox  Done", " Step web [2/2] RUN make  Cached", " Image shop-web  Built"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plain output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestTTYShowsRunningStep: the image's line names the step that runs
// and drops it once the image is built.
func TestTTYShowsRunningStep(t *testing.T) {
	var out bytes.Buffer
	clock := &fakeClock{now: at(350)}
	v := newTestTTY(&out, 80, clock)
	for _, e := range buildRun()[:4] {
		v.Emit(e)
	}
	v.draw(false)
	if got := strings.Join(screen(t, out.String()), "\n"); !strings.Contains(got, "Building [2/2] RUN make") {
		t.Errorf("screen while building:\n%s", got)
	}
	for _, e := range buildRun()[4:] {
		v.Emit(e)
	}
	clock.now = at(600)
	out.Reset()
	v.Close()
	if got := strings.Join(screen(t, out.String()), "\n"); strings.Contains(got, "RUN make") || !strings.Contains(got, "Image shop-web  Built") {
		t.Errorf("final screen:\n%s", got)
	}
}
