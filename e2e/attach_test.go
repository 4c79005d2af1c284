package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestOneoffAttach: attach without a terminal joins berth's pipes to a
// running service container. Input reaches a stdin_open service and its
// replies come out; closing the input ends berth with 0 and leaves the
// container running; --no-stdin shows the output and sends nothing;
// Ctrl-C is passed on to the container by default (berth ends with its
// code) and with --sig-proxy=false ends berth alone (130); a stopped or
// unknown service is refused by name.
func TestOneoffAttach(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	eventually(t, 30*time.Second, "finished to exit", func() (bool, string) {
		s := states(t, name)
		return s[name+"-finished-1"] == "exited", strings.TrimSpace(serviceStates(t, name))
	})
	attach := func(args ...string) *piped {
		t.Helper()
		return startBerthPiped(t, dir, append([]string{"-p", name, "attach"}, args...)...)
	}
	checkRunning := func(service string) {
		t.Helper()
		if s := states(t, name)[name+"-"+service+"-1"]; s != "running" {
			t.Errorf("%s after the attach: %s, want running", service, s)
		}
	}

	t.Run("input", func(t *testing.T) {
		b := attach("echoer")
		for _, line := range []string{"one", "two"} {
			b.write(t, line+"\n")
			b.waitFor(t, "reply-"+line+"\n")
		}
		_ = b.stdin.Close()
		if res := b.wait(t, 15*time.Second); res.ExitCode != 0 {
			t.Errorf("attach after its input closed: %s, want exit 0", res)
		}
		checkRunning("echoer")
	})

	t.Run("no-stdin", func(t *testing.T) {
		// With its input attached, counter hears it: what makes the check
		// below able to fail.
		b := attach("counter")
		b.write(t, "hello\n")
		b.waitFor(t, "heard-hello\n")
		_ = b.stdin.Close()
		b.wait(t, 15*time.Second)

		b = attach("--no-stdin", "counter")
		b.waitForCount(t, "tick\n", 2)
		b.write(t, "secret\n")
		b.waitForCount(t, "tick\n", strings.Count(b.output(), "tick\n")+3)
		if out := b.output(); strings.Contains(out, "heard-") {
			t.Errorf("attach --no-stdin passed input on:\n%s", out)
		}
		// The attach lasts as long as the container: killed, its code 137
		// is berth's.
		mustBerth(t, dir, name, nil, "kill", "counter")
		if res := b.wait(t, 15*time.Second); res.ExitCode != 137 {
			t.Errorf("attach --no-stdin after the container was killed: %s, want exit 137", res)
		}
	})

	t.Run("sig-proxy", func(t *testing.T) {
		b := attach("trapper")
		b.waitFor(t, "alive\n")
		b.interrupt(t)
		res := b.wait(t, 15*time.Second)
		if res.ExitCode != 5 || !strings.Contains(res.Stdout, "got-int\n") {
			t.Errorf("Ctrl-C to attach: want it passed to the container, whose trap says got-int and exits 5: %s", res)
		}
		if c := containerNamed(t, name, name+"-trapper-1"); c.State.Status != "exited" || c.State.ExitCode != 5 {
			t.Errorf("trapper after the proxied Ctrl-C: %+v, want exited with 5", c.State)
		}
	})

	t.Run("no-sig-proxy", func(t *testing.T) {
		mustBerth(t, dir, name, nil, "start", "trapper")
		b := attach("--sig-proxy=false", "trapper")
		b.waitFor(t, "alive\n")
		b.interrupt(t)
		res := b.wait(t, 15*time.Second)
		if res.ExitCode != 130 || strings.Contains(res.Stdout, "got-int") {
			t.Errorf("Ctrl-C to attach --sig-proxy=false: want berth to end with 130 and the container to get nothing: %s", res)
		}
		// Had the signal gone through, the trap would run within a second,
		// once the container's current sleep ends.
		time.Sleep(1500 * time.Millisecond)
		checkRunning("trapper")
	})

	for _, service := range []string{"finished", "nosuch"} {
		res := runBerth(t, dir, nil, "-p", name, "attach", service)
		if res.ExitCode == 0 || !strings.Contains(res.Stderr, service) {
			t.Errorf("attach to %s, which is not running: want a failure naming it: %s", service, res)
		}
	}
}

// TestOneoffAttachTerminal: attach in a real terminal (a tmux pane) to a
// shell service with a TTY: what is typed runs and shows; Ctrl-P Ctrl-Q
// detaches, berth ending with 1 and the container running on; with
// --detach-keys ctrl-a,x those keys detach instead and Ctrl-P Ctrl-Q
// reach the shell; the pane's terminal is left as it was.
func TestOneoffAttachTerminal(t *testing.T) {
	tmux := ensureTmux(t)
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	checkDetached := func(p *ttyPane) {
		t.Helper()
		if code := p.waitExit(t); code != "1" {
			t.Errorf("berth exited %s on its detach keys, want 1:\n%s", code, p.capture(t))
		}
		if s := states(t, name)[name+"-shell-1"]; s != "running" {
			t.Errorf("shell after the detach: %s, want running", s)
		}
		p.checkTerminalRestored(t)
	}

	p := startTTYPane(t, tmux, dir, 100, 30, "-p", name, "attach", "shell")
	p.typeLine(t, "echo typed-$((6*7))")
	p.waitFor(t, "the typed command's answer", func(s string) bool { return strings.Contains(s, "typed-42") })
	p.keys(t, "C-p", "C-q")
	checkDetached(p)

	p = startTTYPane(t, tmux, dir, 100, 30, "-p", name, "attach", "--detach-keys", "ctrl-a,x", "shell")
	p.typeLine(t, "echo again-$((6*7))")
	p.waitFor(t, "the typed command's answer", func(s string) bool { return strings.Contains(s, "again-42") })
	// Ctrl-P recalls the last command in the shell: Ctrl-C drops it.
	p.keys(t, "C-p", "C-q", "C-c")
	p.typeLine(t, "echo still-$((6*7))")
	p.waitFor(t, "the shell still attached", func(s string) bool { return strings.Contains(s, "still-42") })
	if !p.running() {
		t.Fatalf("Ctrl-P Ctrl-Q detached although --detach-keys named other keys:\n%s", p.capture(t))
	}
	p.keys(t, "C-a", "x")
	checkDetached(p)
}
