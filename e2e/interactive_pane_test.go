package e2e

// Helpers for the interactive commands (run, exec, attach): berth in a real
// terminal whose settings are recorded around it, and berth on a pipe the
// test writes to.

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ttyPane is berth in a tmux pane whose shell writes `stty -a` down just
// before berth starts and just after it ends, so a test can tell whether
// berth gave the terminal back as it found it.
type ttyPane struct {
	*pane
	before, after string // files holding stty -a's output
	width, height int    // the size the pane was started with
	checks        int    // size checks so far, which tag their answers
}

// startTTYPane runs berth with args in a detached tmux pane of width by
// height on a tmux server of its own, and leaves it running; the server
// is killed when the test ends.
func startTTYPane(t *testing.T, tmux, dir string, width, height int, args ...string) *ttyPane {
	t.Helper()
	socket := fmt.Sprintf("berth-e2e-%d-%06x", os.Getpid(), rand.Uint32()&0xffffff)
	sockets, files := t.TempDir(), t.TempDir()
	p := &ttyPane{
		pane:   &pane{marker: filepath.Join(files, "exit")},
		before: filepath.Join(files, "stty-before"),
		after:  filepath.Join(files, "stty-after"),
		width:  width,
		height: height,
	}
	p.tm = func(a ...string) (string, error) {
		cmd := exec.Command(tmux, append([]string{"-L", socket, "-f", "/dev/null"}, a...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TERM=xterm-256color", "TMUX_TMPDIR=" + sockets}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = p.tm("kill-server") })
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	// The settings after berth are written before the exit code, so that
	// once the marker exists both records do. The trap keeps the shell
	// alive through a Ctrl-C meant for berth.
	body := fmt.Sprintf(`trap : INT
cd %s
stty -a > %[2]s.tmp && mv %[2]s.tmp %[2]s
DOCKER_HOST=%s %s %s
code=$?
stty -a > %[6]s.tmp && mv %[6]s.tmp %[6]s
echo $code > %[7]s.tmp && mv %[7]s.tmp %[7]s
exec sleep 600
`, shellQuote(dir), p.before, shellQuote(os.Getenv("DOCKER_HOST")), shellQuote(berthBinary(t)), strings.Join(quoted, " "),
		p.after, p.marker)
	script := filepath.Join(files, "run.sh")
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := p.tm("new-session", "-d", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "sh", script); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	return p
}

// tmux runs one tmux command on the pane's server and fails the test when
// it fails.
func (p *ttyPane) tmux(t *testing.T, args ...string) string {
	t.Helper()
	out, err := p.tm(args...)
	if err != nil {
		t.Fatalf("tmux %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// typeLine types text into the pane, as it is, then Enter.
func (p *ttyPane) typeLine(t *testing.T, text string) {
	t.Helper()
	p.tmux(t, "send-keys", "-l", text)
	p.tmux(t, "send-keys", "Enter")
}

// keys sends tmux key names (C-p, Enter...) to the pane.
func (p *ttyPane) keys(t *testing.T, keys ...string) {
	t.Helper()
	p.tmux(t, append([]string{"send-keys"}, keys...)...)
}

// size is the pane's rows and columns as tmux has them, which is what the
// program in it should see (the status line takes a row of the window).
func (p *ttyPane) size(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(p.tmux(t, "display-message", "-p", "#{pane_height}x#{pane_width}"))
}

// resize makes the pane's window width by height.
func (p *ttyPane) resize(t *testing.T, width, height int) {
	t.Helper()
	p.tmux(t, "resize-window", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height))
}

// running reports whether berth has not ended yet in the pane.
func (p *ttyPane) running() bool {
	_, err := os.Stat(p.marker)
	return os.IsNotExist(err)
}

// waitExit waits for berth to end and returns its exit code.
func (p *ttyPane) waitExit(t *testing.T) string {
	t.Helper()
	eventually(t, 30*time.Second, "berth to exit in the pane", func() (bool, string) {
		return !p.running(), p.capture(t)
	})
	code, err := os.ReadFile(p.marker)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(code))
}

// checkTerminalRestored fails unless the terminal's settings after berth
// are those it had before (raw mode left on shows as -icanon -echo...).
func (p *ttyPane) checkTerminalRestored(t *testing.T) {
	t.Helper()
	before, err1 := os.ReadFile(p.before)
	after, err2 := os.ReadFile(p.after)
	if err1 != nil || err2 != nil {
		t.Fatalf("stty records: %v, %v", err1, err2)
	}
	if string(before) != string(after) {
		t.Errorf("terminal settings not restored:\n--- before berth\n%s--- after berth\n%s", before, after)
	}
}

// checkSizeShown types a command that prints the terminal's size as
// berth's process sees it and waits for it to read want (RxC). Each check
// tags its answers with a number of its own, so an earlier answer still
// on the screen cannot pass it. The command is typed again every second:
// a resize reaches the process a moment after the pane changes.
func (p *ttyPane) checkSizeShown(t *testing.T, want string) {
	t.Helper()
	p.checks++
	tag := fmt.Sprintf("size%d-", p.checks)
	// The typed line reads sizeN-$(...), so only the answer matches.
	line := "echo " + tag + `$(stty size | tr ' ' x)`
	var typed time.Time
	eventually(t, 15*time.Second, "the process to see a terminal of "+want, func() (bool, string) {
		screen := p.capture(t)
		if strings.Contains(screen, tag+want) {
			return true, ""
		}
		if time.Since(typed) > time.Second {
			p.typeLine(t, line)
			typed = time.Now()
		}
		return false, screen
	})
}

// checkTerminalSession drives the shell berth opened in the pane (run -t,
// exec): typed input runs and shows, the shell's terminal follows the
// pane's size, `exit 7` ends berth with 7 and the pane's terminal is as
// it was. The pane ends at its first size, so the stty records compare.
func checkTerminalSession(t *testing.T, p *ttyPane) {
	t.Helper()
	p.waitFor(t, "the shell's prompt", func(s string) bool { return strings.Contains(s, "# ") })
	p.typeLine(t, "echo typed-$((6*7))")
	p.waitFor(t, "the typed command's answer", func(s string) bool { return strings.Contains(s, "typed-42") })
	first := p.size(t)
	p.checkSizeShown(t, first)
	p.resize(t, p.width-30, p.height-12)
	resized := p.size(t)
	if resized == first {
		t.Fatalf("resize-window left the pane at %s", first)
	}
	p.checkSizeShown(t, resized)
	p.resize(t, p.width, p.height)
	if back := p.size(t); back != first {
		t.Fatalf("pane at %s after resizing it back, want %s", back, first)
	}
	p.checkSizeShown(t, first)
	p.typeLine(t, "exit 7")
	if code := p.waitExit(t); code != "7" {
		t.Errorf("berth exited %s after `exit 7`, want 7:\n%s", code, p.capture(t))
	}
	p.checkTerminalRestored(t)
}

// piped is berth started with a stdin pipe the test writes to and closes.
type piped struct {
	*background
	stdin io.WriteCloser
}

// startBerthPiped starts berth in dir as startBerth does, its standard
// input a pipe the test holds.
func startBerthPiped(t *testing.T, dir string, args ...string) *piped {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), berthTimeout)
	b := &background{cancel: cancel, done: make(chan struct{})}
	b.cmd = exec.CommandContext(ctx, berthBinary(t), args...)
	b.cmd.Dir = dir
	b.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
	b.cmd.Cancel = func() error { return b.cmd.Process.Signal(os.Interrupt) }
	b.cmd.WaitDelay = interruptGrace
	b.cmd.Stdout, b.cmd.Stderr = b, &lockedWriter{mu: &b.mu, w: &b.stderr}
	stdin, err := b.cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = b.cmd.Wait()
		b.code = b.cmd.ProcessState.ExitCode()
		close(b.done)
	}()
	t.Cleanup(func() { _ = stdin.Close(); cancel(); <-b.done })
	return &piped{background: b, stdin: stdin}
}

// write sends text to berth's input.
func (p *piped) write(t *testing.T, text string) {
	t.Helper()
	if _, err := io.WriteString(p.stdin, text); err != nil {
		t.Fatalf("writing to berth's input: %v", err)
	}
}

// interrupt sends berth SIGINT, as Ctrl-C in a terminal would.
func (p *piped) interrupt(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("signalling berth: %v", err)
	}
}

// ended reports whether berth has exited.
func (p *piped) ended() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}
