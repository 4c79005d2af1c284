package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/docker/go-units"
)

// statsHeader is docker's stats table header, columns at least three
// spaces apart.
var statsHeader = regexp.MustCompile(`^CONTAINER ID {3,}NAME {3,}CPU % {3,}MEM USAGE / LIMIT {3,}MEM % {3,}NET I/O {3,}BLOCK I/O {3,}PIDS$`)

// statsRow is one row of the default table.
type statsRow struct{ ID, Name, CPU, Mem, MemPerc, Net, Block, PIDs string }

// parseStatsTable reads a default stats table: the header, then one row
// per container, its columns three spaces or more apart.
func parseStatsTable(t *testing.T, table string) []statsRow {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(table, "\n"), "\n")
	if !statsHeader.MatchString(lines[0]) {
		t.Fatalf("not docker's stats header: %q", lines[0])
	}
	var rows []statsRow
	for _, l := range lines[1:] {
		f := regexp.MustCompile(` {3,}`).Split(l, -1)
		if len(f) != 8 {
			t.Fatalf("row of %d columns, want 8: %q", len(f), l)
		}
		rows = append(rows, statsRow{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]})
	}
	return rows
}

func rowNames(rows []statsRow) []string {
	var names []string
	for _, r := range rows {
		names = append(names, r.Name)
	}
	return names
}

// checkPlausible fails unless the row's figures read as docker writes
// them and make sense for a running container: some memory in use, under
// a limit, and at least one process.
func checkPlausible(t *testing.T, r statsRow) {
	t.Helper()
	if !regexp.MustCompile(`^\d+\.\d\d%$`).MatchString(r.CPU) || !regexp.MustCompile(`^\d+\.\d\d%$`).MatchString(r.MemPerc) {
		t.Errorf("%s: CPU %q and MEM %% %q are not percentages with two decimals", r.Name, r.CPU, r.MemPerc)
	}
	used, limit, ok := strings.Cut(r.Mem, " / ")
	u, errU := units.RAMInBytes(used)
	l, errL := units.RAMInBytes(limit)
	if !ok || errU != nil || errL != nil || u <= 0 || l <= 0 || u > l {
		t.Errorf("%s: memory %q is not a usage above 0 under a limit", r.Name, r.Mem)
	}
	for _, io := range []string{r.Net, r.Block} {
		if !regexp.MustCompile(`^[\d.]+[kMGT]?B / [\d.]+[kMGT]?B$`).MatchString(io) {
			t.Errorf("%s: %q is not bytes in and out in decimal units", r.Name, io)
		}
	}
	if n, err := strconv.Atoi(r.PIDs); err != nil || n < 1 {
		t.Errorf("%s: PIDS %q, want a count of 1 or more", r.Name, r.PIDs)
	}
}

func percentOf(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimSuffix(s, "%"), 64)
	if err != nil {
		t.Fatalf("not a percentage: %q", s)
	}
	return v
}

// TestStatsNoStream: `stats --no-stream` prints one table of the running
// containers with plausible figures (a busy loop uses CPU); --format json
// is one object per container with docker's keys; -a adds a stopped
// container; a SERVICE limits the rows; an unknown one is refused; the
// project is found by name without its compose file.
func TestStatsNoStream(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	eventually(t, 30*time.Second, "done to exit", func() (bool, string) {
		s := states(t, name)
		return s[name+"-done-1"] == "exited", fmt.Sprint(s)
	})
	ids := map[string]string{}
	for _, c := range projectContainers(t, name) {
		ids[c.Name] = c.ID
	}

	rows := parseStatsTable(t, mustBerth(t, dir, name, nil, "stats", "--no-stream").Stdout)
	if got, want := rowNames(rows), []string{name + "-idle-1", name + "-spin-1"}; !slices.Equal(got, want) {
		t.Fatalf("rows of %v, want %v", got, want)
	}
	for _, r := range rows {
		checkPlausible(t, r)
		if r.ID != ids[r.Name][:12] {
			t.Errorf("%s: id %q, want the engine's cut to 12: %s", r.Name, r.ID, ids[r.Name])
		}
	}
	if cpu := percentOf(t, rows[1].CPU); cpu <= 0 {
		t.Errorf("the busy loop uses %v%% CPU, want more than 0", cpu)
	}

	out := mustBerth(t, dir, name, nil, "stats", "--no-stream", "--format", "json").Stdout
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("json: %d lines, want one per running container:\n%s", len(lines), out)
	}
	for _, l := range lines {
		var e map[string]string
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("json line does not parse: %v: %q", err, l)
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range e {
				if !yield(k) {
					return
				}
			}
		})
		if want := []string{"BlockIO", "CPUPerc", "Container", "ID", "MemPerc", "MemUsage", "Name", "NetIO", "PIDs"}; !slices.Equal(keys, want) {
			t.Errorf("json keys %v, want %v", keys, want)
		}
		if e["Container"] != ids[e["Name"]] || e["ID"] != ids[e["Name"]][:12] {
			t.Errorf("json of %s: Container %q, ID %q; want the full id and its first 12", e["Name"], e["Container"], e["ID"])
		}
	}

	brief := []string{"--no-stream", "--format", "{{.Name}} {{.CPUPerc}} {{.MemUsage}}"}
	all := mustBerth(t, dir, name, nil, append([]string{"stats", "-a"}, brief...)...).Stdout
	if !strings.Contains(all, name+"-done-1 0.00% 0B / 0B\n") || strings.Count(all, "\n") != 3 {
		t.Errorf("stats -a: want the stopped container with zero figures beside the others:\n%s", all)
	}
	if got := mustBerth(t, dir, name, nil, "stats", "--no-stream", "--format", "{{.Name}}", "idle").Stdout; got != name+"-idle-1\n" {
		t.Errorf("stats idle: %q, want only idle's container", got)
	}
	if got := mustBerth(t, dir, name, nil, "stats", "--no-stream", "--no-trunc", "--format", "{{.ID}}", "spin").Stdout; got != ids[name+"-spin-1"]+"\n" {
		t.Errorf("stats --no-trunc: %q, want the full id %s", got, ids[name+"-spin-1"])
	}
	if res := runBerth(t, dir, nil, "-p", name, "stats", "--no-stream", "nosuch"); res.ExitCode != 1 || !strings.Contains(res.Stderr, "no such service: nosuch") {
		t.Errorf("stats of an unknown service: %s", res)
	}
	away := t.TempDir()
	if res := runBerth(t, away, nil, "-p", name, "stats", "--no-stream", "--format", "{{.Name}}"); res.ExitCode != 0 || res.Stdout != name+"-idle-1\n"+name+"-spin-1\n" {
		t.Errorf("stats by project name, without the compose file: %s", res)
	}
}

// splitTables cuts streamed output into its tables, each from a header
// line to the next.
func splitTables(out string) []string {
	var tables []string
	for _, part := range strings.SplitAfter(out, "\n") {
		if statsHeader.MatchString(strings.TrimSuffix(part, "\n")) || len(tables) == 0 {
			tables = append(tables, "")
		}
		tables[len(tables)-1] += part
	}
	return tables
}

// TestStatsPipe: streamed into a pipe, stats prints a new table each
// time, follows containers that are added (scale up) and stopped, writes
// no escape code, and ends on Ctrl-C with 130, as docker compose does.
func TestStatsPipe(t *testing.T) {
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	started := time.Now()
	b := startBerth(t, dir, "-p", name, "stats")
	b.waitForCount(t, "CONTAINER ID", 2)
	mustBerth(t, dir, name, nil, "up", "-d", "--scale", "idle=2")
	b.waitFor(t, name+"-idle-2")
	// Until the stop, every container shown runs: its figures must be
	// plausible (a stopped one reads zero until its die event drops it).
	running := b.output()
	mustBerth(t, dir, name, nil, "stop", "idle")
	eventually(t, 30*time.Second, "a table without the stopped containers", func() (bool, string) {
		tables := splitTables(b.output())
		if len(tables) < 3 {
			return false, b.output()
		}
		last := tables[len(tables)-2] // the last whole one
		rows := parseStatsTable(t, last)
		return slices.Equal(rowNames(rows), []string{name + "-other-1"}), last
	})
	tables := splitTables(running)
	for _, table := range tables[:len(tables)-1] { // the last may be cut
		for _, r := range parseStatsTable(t, table) {
			if r.CPU != "--" {
				checkPlausible(t, r)
			}
		}
	}
	if d := time.Since(started); d < 3*time.Second {
		time.Sleep(3*time.Second - d) // a few seconds of streaming, as the pipe case is meant to see
	}
	b.cancel()
	res := b.wait(t, 30*time.Second)
	if res.ExitCode != 130 {
		t.Errorf("stats ended with %d on Ctrl-C, want 130: %s", res.ExitCode, res)
	}
	if i := bytes.IndexByte([]byte(res.Stdout+res.Stderr), 0x1b); i >= 0 {
		t.Errorf("stats wrote an escape code into a pipe, at byte %d:\n%q", i, res.Stdout)
	}
	if n := strings.Count(res.Stdout, "CONTAINER ID"); n < 4 {
		t.Errorf("%d tables in a few seconds of streaming, want one after another:\n%s", n, res.Stdout)
	}
}

// TestStatsTerminal: in a terminal (a tmux pane of 90 columns by 20
// rows) stats draws its table in place: one header however many times it
// is redrawn, nothing scrolled off, rows fitted to the width; a
// container added while it runs shows up; Ctrl-C ends it with 130.
func TestStatsTerminal(t *testing.T) {
	tmux := ensureTmux(t)
	dir, name := upProject(t)
	mustBerth(t, dir, name, nil, "up", "-d")
	const width, height = 90, 20
	p := startPane(t, tmux, dir, width, height, "-p", name, "stats")
	p.waitFor(t, "the table", func(screen string) bool { return strings.Contains(screen, name+"-spin-1") })
	mustBerth(t, dir, name, nil, "up", "-d", "--scale", "idle=2")
	// Its row first shows "--", then, redrawn, its figures.
	screen := p.waitFor(t, "the added container's figures", func(screen string) bool {
		return regexp.MustCompile(regexp.QuoteMeta(name+"-idle-2") + ` +\d+\.\d\d% `).MatchString(screen)
	})
	history := p.capture(t, "-S", "-")
	if n := strings.Count(history, "CONTAINER ID"); n != 1 {
		t.Errorf("%d headers on the screen and above it, want 1: each table drawn over the last:\n%s", n, history)
	}
	for _, r := range nonEmpty(screen) {
		if n := utf8.RuneCountInString(r); n > width-1 {
			t.Errorf("row of %d columns in a pane of %d: %q", n, width, r)
		}
	}
	if got := len(nonEmpty(screen)); got != 4 {
		t.Errorf("%d rows on the screen, want the header and 3 containers:\n%s", got, screen)
	}
	if code := p.interrupt(t); code != "130" {
		t.Errorf("stats exited %s on Ctrl-C, want 130", code)
	}
}

// pane is berth running in a tmux pane of its own tmux server.
type pane struct {
	tm     func(a ...string) (string, error)
	marker string
}

// startPane runs berth with args in a detached tmux pane of width by
// height, and leaves it running; the server is killed when the test ends.
func startPane(t *testing.T, tmux, dir string, width, height int, args ...string) *pane {
	t.Helper()
	socket := fmt.Sprintf("berth-e2e-%d-%06x", os.Getpid(), rand.Uint32()&0xffffff)
	sockets := t.TempDir()
	p := &pane{marker: filepath.Join(t.TempDir(), "exit")}
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
	// The trap keeps the shell alive through the Ctrl-C meant for berth,
	// to write berth's exit code down.
	body := fmt.Sprintf("trap : INT\ncd %s\nDOCKER_HOST=%s %s %s\necho $? > %s.tmp && mv %s.tmp %s\nexec sleep 600\n",
		shellQuote(dir), shellQuote(os.Getenv("DOCKER_HOST")), shellQuote(berthBinary(t)), strings.Join(quoted, " "),
		p.marker, p.marker, p.marker)
	script := filepath.Join(t.TempDir(), "run.sh")
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := p.tm("new-session", "-d", "-x", strconv.Itoa(width), "-y", strconv.Itoa(height), "sh", script); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	return p
}

// capture is what the pane shows, rows wrapped by the terminal joined
// back into one; extra arguments reach capture-pane (-S - for the rows
// scrolled off too).
func (p *pane) capture(t *testing.T, extra ...string) string {
	t.Helper()
	screen, err := p.tm(append([]string{"capture-pane", "-p", "-J"}, extra...)...)
	if err != nil {
		t.Fatalf("tmux capture-pane: %v\n%s", err, screen)
	}
	return screen
}

func (p *pane) waitFor(t *testing.T, what string, ok func(screen string) bool) string {
	t.Helper()
	var screen string
	eventually(t, 30*time.Second, "the pane to show "+what, func() (bool, string) {
		screen = p.capture(t)
		return ok(screen), screen
	})
	return screen
}

// interrupt types Ctrl-C into the pane and returns berth's exit code.
func (p *pane) interrupt(t *testing.T) string {
	t.Helper()
	if out, err := p.tm("send-keys", "C-c"); err != nil {
		t.Fatalf("tmux send-keys: %v\n%s", err, out)
	}
	eventually(t, 30*time.Second, "berth to exit in the pane", func() (bool, string) {
		_, err := os.Stat(p.marker)
		return err == nil, p.capture(t)
	})
	code, _ := os.ReadFile(p.marker)
	return strings.TrimSpace(string(code))
}
