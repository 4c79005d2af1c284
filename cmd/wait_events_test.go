package cmd

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// TestWait: wait exits with the exit code of the first container to stop,
// after all of them stopped; with --down-project, as soon as the first
// stops, and the project is gone.
func TestWait(t *testing.T) {
	t.Run("the first to stop decides; wait returns once all stopped", func(t *testing.T) {
		fake, dir := runningProject(t)
		if err := fake.Exit("run-db-1", 7); err != nil { // stopped before wait: it is first
			t.Fatal(err)
		}
		code, out := waitRun(t, fake, dir, 2, []string{"wait", "web", "db"}, func() {
			if err := fake.Exit("run-web-1", 3); err != nil {
				t.Fatal(err)
			}
		})
		if code != 7 || strings.Count(out, "exited with status code") != 2 {
			t.Errorf("exit %d, want 7; stdout %q", code, out)
		}
	})
	t.Run("--down-project takes the project down at the first exit", func(t *testing.T) {
		fake, dir := runningProject(t)
		code, _ := waitRun(t, fake, dir, 1, []string{"wait", "--down-project", "web"}, func() {
			if err := fake.Exit("run-web-1", 4); err != nil {
				t.Fatal(err)
			}
		})
		if code != 4 || states(fake) != "" {
			t.Errorf("exit %d, want 4; containers left %q", code, states(fake))
		}
	})
	t.Run("an unknown service is refused", func(t *testing.T) {
		fake, dir := runningProject(t)
		if code, _, errOut := berthRun(t, fake, dir, nil, "wait", "nosuch"); code != 1 || !strings.Contains(errOut, "nosuch") {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}

// waitRun runs berth args in the background, waits until it waits on n
// containers, calls then, and returns berth's exit code and stdout.
func waitRun(t *testing.T, fake *enginetest.Fake, dir string, n int, args []string, then func()) (int, string) {
	t.Helper()
	done := make(chan struct{})
	var code int
	var out string
	go func() {
		code, out, _ = berthRun(t, fake, dir, nil, args...)
		close(done)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for len(fake.Calls("WaitContainer")) < n {
		if time.Now().After(deadline) {
			t.Fatalf("berth %v never waited on %d containers", args, n)
		}
		time.Sleep(time.Millisecond) // polling the fake's record, not timing berth
	}
	then()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("berth %v did not return", args)
	}
	return code, out
}

// TestPrintEvent: docker compose's text and JSON shapes, its own labels
// left out of the attributes, sorted in the text form.
func TestPrintEvent(t *testing.T) {
	e := engine.Event{Type: "container", Action: "start", ID: "abc", Time: time.Date(2026, 1, 2, 3, 4, 5, 600000000, time.UTC),
		Attributes: map[string]string{"name": "p-web-1", "image": "busybox", "com.docker.compose.service": "web"}}
	var text, js strings.Builder
	if err := printEvent(&text, e, "web", false); err != nil {
		t.Fatal(err)
	}
	if err := printEvent(&js, e, "web", true); err != nil {
		t.Fatal(err)
	}
	if want := "2026-01-02 03:04:05.600000 container start abc (image=busybox, name=p-web-1)\n\n"; text.String() != want {
		t.Errorf("text %q, want %q", text.String(), want)
	}
	if want := `{"action":"start","attributes":{"image":"busybox","name":"p-web-1"},"id":"abc","service":"web","time":"2026-01-02T03:04:05.6Z","type":"container"}` + "\n"; js.String() != want {
		t.Errorf("json %q, want %q", js.String(), want)
	}
}
