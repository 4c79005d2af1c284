package e2e

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestProgressTerminal: in a real terminal (a tmux pane) of 40, 60 and 120
// columns, `up -d` of a project with a health-gated dependency leaves one
// line per resource with its final state, and no line wider than the pane.
func TestProgressTerminal(t *testing.T) {
	requireEngine(t)
	tmux := ensureTmux(t)
	for _, width := range []int{40, 60, 120} {
		t.Run(strconv.Itoa(width), func(t *testing.T) {
			dir := projectDir(t, "TestProgressTerminal")
			// Short, so the ids fit from 60 columns on; at 40 they are cut.
			name := fmt.Sprintf("prog%d-%06x", width, rand.Uint32()&0xffffff)
			t.Cleanup(func() {
				if res := runBerth(t, dir, nil, "-p", name, "down", "-v", "-t", "0"); res.ExitCode != 0 {
					t.Errorf("cleanup down -v: %s", res)
				}
			})
			screen := runInPane(t, tmux, dir, width, "-p", name, "up", "-d")
			rows := nonEmpty(screen)
			for _, r := range rows {
				if n := utf8.RuneCountInString(r); n > width {
					t.Errorf("row of %d columns in a pane of %d: %q", n, width, r)
				}
				if !strings.HasPrefix(r, " ✔ ") {
					t.Errorf("row not finished well: %q", r)
				}
			}
			want := []struct{ id, state string }{
				{"Network " + name + "_default", "Created"},
				{"Container " + name + "-db-1", "Started"},
				{"Service db", "Healthy"},
				{"Container " + name + "-web-1", "Started"},
			}
			if len(rows) != len(want) {
				t.Fatalf("screen has %d rows, want %d (one per resource):\n%s", len(rows), len(want), screen)
			}
			if width < 60 { // ids are cut (the unit tests check how), yet tell resources apart
				seen := map[string]bool{}
				for _, r := range rows {
					id := strings.Join(strings.Fields(r)[1:3], " ")
					if seen[id] {
						t.Errorf("two rows for %q:\n%s", id, screen)
					}
					seen[id] = true
				}
				return
			}
			for _, w := range want {
				var found []string
				for _, r := range rows {
					if strings.Contains(r, " "+w.id+" ") {
						found = append(found, r)
					}
				}
				if len(found) != 1 || !strings.Contains(found[0], w.state) {
					t.Errorf("%s: rows %q, want one saying %s\n%s", w.id, found, w.state, screen)
				}
			}
		})
	}
}

// ensureTmux runs scripts/tmux.sh, which installs tmux when it is missing,
// and returns the tmux binary.
func ensureTmux(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(filepath.Join(root, "scripts", "tmux.sh"), "ensure")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("scripts/tmux.sh ensure: %v\n%s", err, stderr.String())
	}
	return strings.TrimSpace(stdout.String())
}

// runInPane runs berth with args in a detached tmux pane of width columns
// and 40 rows, on a tmux server of its own (-L), waits for it to exit 0 and
// returns what the pane shows. The pane's shell stays alive after berth so
// the screen can be read; the server is killed when the test ends.
func runInPane(t *testing.T, tmux, dir string, width int, args ...string) string {
	t.Helper()
	socket := fmt.Sprintf("berth-e2e-%d-%06x", os.Getpid(), rand.Uint32()&0xffffff)
	// TMUX_TMPDIR puts the socket in the test's own folder, so it goes
	// with it rather than staying behind in /tmp/tmux-UID.
	sockets := t.TempDir()
	tm := func(a ...string) (string, error) {
		cmd := exec.Command(tmux, append([]string{"-L", socket, "-f", "/dev/null"}, a...)...)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "TERM=xterm-256color", "TMUX_TMPDIR=" + sockets}
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = tm("kill-server") })
	marker := filepath.Join(t.TempDir(), "exit")
	script := filepath.Join(t.TempDir(), "run.sh")
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	body := fmt.Sprintf("cd %s\nDOCKER_HOST=%s %s %s\necho $? > %s.tmp && mv %s.tmp %s\nexec sleep 600\n",
		shellQuote(dir), shellQuote(os.Getenv("DOCKER_HOST")), shellQuote(berthBinary(t)), strings.Join(quoted, " "),
		marker, marker, marker)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := tm("new-session", "-d", "-x", strconv.Itoa(width), "-y", "40", "sh", script); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	eventually(t, berthTimeout, "berth to exit in the pane", func() (bool, string) {
		_, err := os.Stat(marker)
		return err == nil, fmt.Sprint(err)
	})
	screen, err := tm("capture-pane", "-p", "-J") // -J: a wrapped row comes back as one long line
	if err != nil {
		t.Fatalf("tmux capture-pane: %v\n%s", err, screen)
	}
	if code, _ := os.ReadFile(marker); strings.TrimSpace(string(code)) != "0" {
		t.Fatalf("berth %s exited %s in the pane:\n%s", strings.Join(args, " "), code, screen)
	}
	t.Logf("pane of %d columns:\n%s", width, screen)
	return screen
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// nonEmpty is the screen's rows that hold anything.
func nonEmpty(screen string) []string {
	var rows []string
	for _, r := range strings.Split(screen, "\n") {
		if strings.TrimSpace(r) != "" {
			rows = append(rows, strings.TrimRight(r, " "))
		}
	}
	return rows
}
