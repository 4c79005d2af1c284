package cmd

import (
	"context"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// cancelAt returns a hook that cancels at the first call of method, as a
// Ctrl-C arriving just as berth makes it would.
func cancelAt(method string, cancel context.CancelFunc) func(context.Context, enginetest.Call) error {
	return func(_ context.Context, c enginetest.Call) error {
		if c.Method == method {
			cancel()
		}
		return nil
	}
}

// oneYAML has a single service, so an interrupt lands at a known step:
// each step waits for the one before it.
const oneYAML = "name: one\nservices:\n  app: {image: busybox}\n"

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		yaml    string // runYAML when empty
		before  [][]string
		args    []string
		prepare func(fake *enginetest.Fake, cancel context.CancelFunc)
		code    int
		want    string // containers after
		stderr  string
	}{
		{name: "success", args: []string{"up", "-d"}, code: 0, want: allRunning},
		// A create in flight when Ctrl-C comes finishes, a stop is cut
		// short; the steps after either never start.
		{name: "Ctrl-C during up", yaml: oneYAML, args: []string{"up", "-d"}, code: 130,
			prepare: func(f *enginetest.Fake, cancel context.CancelFunc) { f.OnCall(cancelAt("CreateContainer", cancel)) },
			want:    "one-app-1=created", stderr: "1 not started; run the command again"},
		{name: "Ctrl-C during down", yaml: oneYAML, before: [][]string{{"up", "-d"}}, args: []string{"down"}, code: 130,
			prepare: func(f *enginetest.Fake, cancel context.CancelFunc) { f.OnCall(cancelAt("StopContainer", cancel)) },
			want:    "one-app-1=running", stderr: "1 cut short"},
		{name: "Ctrl-C during stop", yaml: oneYAML, before: [][]string{{"up", "-d"}}, args: []string{"stop"}, code: 130,
			prepare: func(f *enginetest.Fake, cancel context.CancelFunc) { f.OnCall(cancelAt("ListContainers", cancel)) },
			want:    "one-app-1=running", stderr: "berth: listing "},
		{name: "Ctrl-C after the work is done", args: []string{"up", "-d"}, code: 130,
			prepare: func(f *enginetest.Fake, cancel context.CancelFunc) { f.OnCall(cancelAt("Close", cancel)) },
			want:    allRunning, stderr: "berth: interrupted\n"},
		{name: "a cancellation the engine reports", args: []string{"up", "-d"}, code: 130,
			prepare: func(f *enginetest.Fake, _ context.CancelFunc) {
				f.Fail("CreateNetwork", context.Canceled)
			},
			stderr: "berth: Network run_back: context canceled"},
		{name: "an engine timeout is a failure", args: []string{"up", "-d"}, code: 1,
			prepare: func(f *enginetest.Fake, _ context.CancelFunc) {
				f.Fail("StartContainer", context.DeadlineExceeded)
			},
			want: allCreated, stderr: "deadline exceeded"},
		{name: "an engine failure", before: [][]string{{"up", "-d"}}, args: []string{"stop"}, code: 1,
			prepare: func(f *enginetest.Fake, _ context.CancelFunc) {
				f.Fail("StopContainer", engine.ErrConflict.WithMessage("the disk is full"))
			},
			want: allRunning, stderr: "the disk is full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := busyboxFake()
			yaml := tt.yaml
			if yaml == "" {
				yaml = runYAML
			}
			dir := projectIn(t, yaml)
			for _, step := range tt.before {
				mustRun(t, fake, dir, nil, step...)
			}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.prepare != nil {
				tt.prepare(fake, cancel)
			}
			code, _, errOut := berthRunContext(ctx, t, fake, dir, nil, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tt.code, errOut)
			}
			if got := states(fake); got != tt.want {
				t.Errorf("containers %q, want %q", got, tt.want)
			}
			if !strings.Contains(errOut, tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.stderr)
			}
		})
	}
}

// An interrupt while another berth holds the project's lock ends the wait
// with 130, before this berth reads or changes anything.
func TestCtrlCWhileWaitingForTheLock(t *testing.T) {
	fake := busyboxFake()
	dir := projectIn(t, runYAML)
	held, _, errOut := testDeps()
	// The host as the session finds it, so both lock the same file.
	ep, err := engine.ResolveEndpoint(held.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := lockProject(context.Background(), held, ep.Host, "run")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	deps, _, stderr := testDeps()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	deps.Engine = func(context.Context) (engine.Engine, error) {
		cancel() // Ctrl-C right after connecting, while the lock is taken
		return fake, nil
	}
	if code := Execute(ctx, deps, []string{"--project-directory", dir, "up", "-d"}); code != 130 {
		t.Errorf("exit %d, want 130; stderr: %s", code, stderr)
	}
	if calls := fake.Calls("ListContainers", "ListNetworks", "ListVolumes"); len(calls) > 0 || len(writes(fake)) > 0 {
		t.Errorf("berth used the engine before it had the lock: %v", fake.Calls())
	}
	if !strings.Contains(stderr.String(), "waiting for another berth") {
		t.Errorf("stderr %q, want it to say what berth waited for", stderr)
	}
	if errOut.Len() != 0 {
		t.Errorf("the holder's stderr %q, want nothing", errOut)
	}
}
