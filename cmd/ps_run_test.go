package cmd

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine/enginetest"
)

// mixedProject is runYAML with two web replicas running, db paused and
// worker stopped: each ps filter keeps a different part of it.
func mixedProject(t *testing.T) (*enginetest.Fake, string) {
	t.Helper()
	fake := busyboxFake()
	dir := projectIn(t, runYAML)
	mustRun(t, fake, dir, nil, "up", "-d", "--scale", "web=2")
	mustRun(t, fake, dir, nil, "pause", "db")
	mustRun(t, fake, dir, nil, "stop", "worker")
	return fake, dir
}

// idLines is the ids of the named containers, one a line, in name order.
func idLines(t *testing.T, fake *enginetest.Fake, names ...string) string {
	t.Helper()
	var b strings.Builder
	for _, n := range names {
		b.WriteString(mustContainer(t, fake, n).ID + "\n")
	}
	return b.String()
}

func TestPsRun(t *testing.T) {
	fake, dir := mixedProject(t)
	written := len(writes(fake))
	tests := []struct {
		args     []string
		wantCode int
		want     string // stdout, exactly
		wantErr  string
	}{
		{args: []string{"ps", "--services"}, want: "db\nweb\n"},
		{args: []string{"ps", "-a", "--services"}, want: "db\nweb\nworker\n"},
		{args: []string{"ps", "-q"}, want: idLines(t, fake, "run-db-1", "run-web-1", "run-web-2")},
		{args: []string{"ps", "-a", "-q"}, want: idLines(t, fake, "run-db-1", "run-web-1", "run-web-2", "run-worker-1")},
		{args: []string{"ps", "-q", "--services"}, want: idLines(t, fake, "run-db-1", "run-web-1", "run-web-2")},
		{args: []string{"ps", "-q", "web"}, want: idLines(t, fake, "run-web-1", "run-web-2")},
		{args: []string{"ps", "-q", "--status", "exited"}, want: idLines(t, fake, "run-worker-1")},
		{args: []string{"ps", "--services", "--status", "paused", "--status", "exited"}, want: "db\nworker\n"},
		{args: []string{"ps", "--services", "--filter", "status=running"}, want: "web\n"},
		{args: []string{"ps", "--services", "--status", "dead"}, want: ""},
		{args: []string{"ps", "--format", "{{.Name}} {{.Service}} {{.State}}"},
			want: "run-db-1 db paused\nrun-web-1 web running\nrun-web-2 web running\n"},
		{args: []string{"ps", "-a", "--format", "{{.Name}} {{.Status}}", "worker"}, want: "run-worker-1 Exited (0)\n"},
		{args: []string{"ps", "--filter", "name=web"}, wantCode: 1, wantErr: `invalid --filter "name=web"`},
		{args: []string{"ps", "--format", "{{.Nope"}, wantCode: 1, wantErr: "invalid --format template"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.want)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
	if w := writes(fake)[written:]; len(w) > 0 {
		t.Errorf("ps changed the engine: %v", w)
	}
}

func TestPsTable(t *testing.T) {
	fake, dir := mixedProject(t)
	out := mustRun(t, fake, dir, nil, "ps")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("ps printed %d lines, want a header and 3 containers:\n%s", len(lines), out)
	}
	if fields := strings.Fields(lines[0]); !slices.Equal(fields, []string{"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"}) {
		t.Errorf("header %q", lines[0])
	}
	for i, want := range []string{"run-db-1 busybox", "run-web-1 busybox", "run-web-2 busybox"} {
		if got := strings.Join(strings.Fields(lines[i+1])[:2], " "); got != want {
			t.Errorf("line %d starts %q, want %q", i+1, got, want)
		}
	}
	if !strings.Contains(lines[1], "Up (Paused)") {
		t.Errorf("db's line %q, want its status Up (Paused)", lines[1])
	}
}

func TestPsJSON(t *testing.T) {
	fake, dir := mixedProject(t)
	code, out, errOut := berthRun(t, fake, dir, nil, "ps", "-a", "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		var row struct {
			ID, Name, Project, Service, State string
			ExitCode                          int
			Labels                            map[string]string
		}
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("line %q is not JSON: %v", line, err)
		}
		if row.ID != mustContainer(t, fake, row.Name).ID || row.Labels[convergence.LabelService] != row.Service {
			t.Errorf("row %s: id %s, labels %v", row.Name, row.ID, row.Labels)
		}
		got = append(got, fmt.Sprintf("%s %s/%s %s %d", row.Name, row.Project, row.Service, row.State, row.ExitCode))
	}
	want := []string{"run-db-1 run/db paused 0", "run-web-1 run/web running 0", "run-web-2 run/web running 0", "run-worker-1 run/worker exited 0"}
	if !slices.Equal(got, want) {
		t.Errorf("rows %q, want %q", got, want)
	}
}

func TestPsOfNothing(t *testing.T) {
	for _, args := range [][]string{{"ps", "-q"}, {"ps", "--services"}, {"ps", "--format", "json"}} {
		code, out, errOut := berthRun(t, busyboxFake(), projectIn(t, runYAML), nil, args...)
		if code != 0 || out != "" {
			t.Errorf("berth %v on an empty engine: exit %d, stdout %q, stderr %q; want nothing", args, code, out, errOut)
		}
	}
}
