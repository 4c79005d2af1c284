package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestLogsFlags: every flag of `logs` against the real engine: prefixes
// padded to the longest name, stderr on stderr, TTY output, binary bytes
// and a 100 KB line intact, tail, index, timestamps, since and until.
func TestLogsFlags(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d", "--scale", "web=2")
	eventually(t, 30*time.Second, "both web containers wrote everything", func() (bool, string) {
		res := runBerth(t, dir, nil, "-p", name, "logs", "web")
		return strings.Count(res.Stdout, "| web last\n") == 2, res.String()
	})
	long := strings.Repeat("x", 100000)
	stamp := `\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z `
	future := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	tests := []struct {
		name           string
		args           []string
		stdout, stderr string // regular expressions matched against the whole output
	}{
		{"one service, both streams, binary and long lines whole", []string{"logs", "--index", "1", "web"},
			"^web-1  \\| web first\nweb-1  \\| bin BINARY end\nweb-1  \\| LONG\nweb-1  \\| web last\n$",
			"^web-1  \\| web on stderr\n$"},
		{"padding to the longest name of all", []string{"logs", "--index", "1", "--tail", "1"},
			"^(term-1  \\| term says hi\r?\n|web-1   \\| web last\n){2}$", "^$"},
		{"no prefix", []string{"logs", "--no-log-prefix", "--index", "2", "--tail", "1", "web"}, "^web last\n$", ""},
		{"timestamps after the prefix", []string{"logs", "-t", "--index", "2", "--tail", "1", "web"}, "^web-2  \\| " + stamp + "web last\n$", ""},
		{"since a relative time", []string{"logs", "--since", "1h", "--tail", "1", "--index", "2", "web"}, "^web-2  \\| web last\n$", ""},
		{"since later than every line", []string{"logs", "--since", future, "web"}, "^$", "^$"},
		{"until before every line", []string{"logs", "--until", "1h", "web"}, "^$", "^$"},
		{"tail 0", []string{"logs", "--tail", "0"}, "^$", "^$"},
		{"no colour off a terminal", []string{"logs", "--tail", "1", "term"}, "^term-1  \\| term says hi\r?\n$", ""},
		{"colour when asked for", []string{"--ansi", "always", "logs", "--tail", "1", "term"}, "^\x1b\\[[0-9;]+mterm-1  \\| \x1b\\[0mterm says hi\r?\n$", ""},
		{"--no-color wins over --ansi always", []string{"--ansi", "always", "logs", "--no-color", "--tail", "1", "term"}, "^term-1  \\| term says hi\r?\n$", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := runBerth(t, dir, nil, append([]string{"-p", name}, tt.args...)...)
			if res.ExitCode != 0 {
				t.Fatalf("logs: %s", res)
			}
			// The 100 KB line, whole, reads as LONG, and the control bytes
			// as BINARY. (Bytes that are no UTF-8 cannot be checked here:
			// the engine's json-file driver turns them into U+FFFD.)
			stdout := strings.ReplaceAll(res.Stdout, long, "LONG")
			stdout = strings.ReplaceAll(stdout, "\x01\x02\x1b[0m\xc3\xa9", "BINARY")
			if !regexp.MustCompile(tt.stdout).MatchString(stdout) {
				t.Errorf("stdout %.300q does not match %.300q", stdout, tt.stdout)
			}
			if tt.stderr != "" && !regexp.MustCompile(tt.stderr).MatchString(res.Stderr) {
				t.Errorf("stderr %.300q does not match %.300q", res.Stderr, tt.stderr)
			}
		})
	}
}

// TestLogsFollow: `logs -f` picks up a container added by scaling up and
// one recreated by a second up while it runs, continues a container that
// restarts (by policy and by `restart`) without showing a line twice,
// shows a last line without newline, and returns by itself once the
// project is down.
func TestLogsFollow(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	logs := startBerth(t, dir, "-p", name, "logs", "-f")

	logs.waitFor(t, "web-1    | hello gen 1 ")
	logs.waitFor(t, "last-1   | final words ")
	mustBerth(t, dir, name, nil, "up", "-d", "--scale", "web=2")
	logs.waitFor(t, "web-2    | hello gen 1 ")
	mustBerth(t, dir, name, []string{"GENERATION=2"}, "up", "-d", "--scale", "web=2")
	logs.waitForCount(t, "| hello gen 2 ", 2)
	mustBerth(t, dir, name, []string{"GENERATION=2"}, "restart", "web")
	logs.waitForCount(t, "| hello gen 2 ", 4)
	logs.waitForCount(t, "blink-1  | blink run ", 3)

	mustBerth(t, dir, name, nil, "down", "-t", "0")
	res := logs.wait(t, time.Minute)
	if res.ExitCode != 0 {
		t.Fatalf("logs -f after down: %s", res)
	}
	// One prefix a line, none glued to another: the last words without a
	// newline were ended with one.
	if !strings.HasSuffix(res.Stdout, "\n") {
		t.Errorf("output does not end a line: %q", res.Stdout)
	}
	shape := regexp.MustCompile(`^[a-z]+-[0-9]+ +\| [^|]*$`)
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n") {
		if !shape.MatchString(line) {
			t.Errorf("line not of one container: %q", line)
		}
		if seen[line] {
			t.Errorf("line shown twice: %q", line)
		}
		seen[line] = true
	}
}

// background is a berth run that goes on while the test acts.
type background struct {
	cmd    *exec.Cmd
	cancel context.CancelFunc
	mu     sync.Mutex
	stdout bytes.Buffer
	stderr bytes.Buffer
	done   chan struct{}
	code   int
}

func (b *background) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stdout.Write(p)
}

func (b *background) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.stdout.String()
}

// startBerth starts berth in dir as runBerth would, without waiting for it;
// the test's end stops it if it still runs.
func startBerth(t *testing.T, dir string, args ...string) *background {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), berthTimeout)
	b := &background{cancel: cancel, done: make(chan struct{})}
	b.cmd = exec.CommandContext(ctx, berthBinary(t), args...)
	b.cmd.Dir = dir
	b.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "DOCKER_HOST=" + os.Getenv("DOCKER_HOST")}
	b.cmd.Cancel = func() error { return b.cmd.Process.Signal(os.Interrupt) }
	b.cmd.WaitDelay = interruptGrace
	b.cmd.Stdout, b.cmd.Stderr = b, &lockedWriter{mu: &b.mu, w: &b.stderr}
	if err := b.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = b.cmd.Wait()
		b.code = b.cmd.ProcessState.ExitCode()
		close(b.done)
	}()
	t.Cleanup(func() { cancel(); <-b.done })
	return b
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (b *background) waitFor(t *testing.T, s string) {
	t.Helper()
	b.waitForCount(t, s, 1)
}

func (b *background) waitForCount(t *testing.T, s string, n int) {
	t.Helper()
	eventually(t, 30*time.Second, "logs -f shows "+s, func() (bool, string) {
		out := b.output()
		b.mu.Lock()
		defer b.mu.Unlock()
		return strings.Count(out, s) >= n, out + "\n--- stderr\n" + b.stderr.String()
	})
}

// wait waits for berth to end by itself.
func (b *background) wait(t *testing.T, timeout time.Duration) Result {
	t.Helper()
	select {
	case <-b.done:
	case <-time.After(timeout):
		t.Fatalf("berth did not end within %s; output so far:\n%s", timeout, b.output())
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return Result{Stdout: b.stdout.String(), Stderr: b.stderr.String(), ExitCode: b.code}
}
