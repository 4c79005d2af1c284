package cmd

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestStatsRun: flags and the SERVICE argument reach the table: which
// containers, their figures, the format; bad input is refused with what
// to fix; a project known only by name works too.
func TestStatsRun(t *testing.T) {
	fake, dir := mixedProject(t)
	written := len(writes(fake))
	if err := fake.FeedStats("run-web-1", engine.StatsSample{PIDs: 3}); err != nil {
		t.Fatal(err)
	}
	byName := emptyDir(t)
	names := []string{"--no-stream", "--format", "{{.Name}} {{.PIDs}}"}
	tests := []struct {
		dir      string
		args     []string
		wantCode int
		want     string // stdout, exactly
		wantErr  string
	}{
		{args: append([]string{"stats"}, names...), want: "run-db-1 0\nrun-web-1 3\nrun-web-2 0\n"},
		{args: append([]string{"stats", "-a"}, names...), want: "run-db-1 0\nrun-web-1 3\nrun-web-2 0\nrun-worker-1 0\n"},
		{args: append([]string{"stats", "web"}, names...), want: "run-web-1 3\nrun-web-2 0\n"},
		{args: []string{"stats", "--no-stream", "--format", "table {{.Name}}\t{{.CPUPerc}}", "db"},
			want: "NAME       CPU %\nrun-db-1   0.00%\n"},
		{args: []string{"stats", "--no-stream", "--no-trunc", "--format", "{{.ID}}", "web"},
			want: mustContainer(t, fake, "run-web-1").ID + "\n" + mustContainer(t, fake, "run-web-2").ID + "\n"},
		{args: []string{"stats", "--no-stream", "--format", "{{.ID}}", "db"}, want: mustContainer(t, fake, "run-db-1").ID[:12] + "\n"},
		{dir: byName, args: append([]string{"-p", "run", "stats", "-a", "worker"}, names...), want: "run-worker-1 0\n"},
		{args: []string{"stats", "nope"}, wantCode: 1, wantErr: "no such service: nope"},
		{dir: byName, args: []string{"-p", "run", "stats", "nope"}, wantCode: 1, wantErr: "no such service: nope (no container of project run"},
		{args: []string{"stats", "web", "db"}, wantCode: 1, wantErr: "2 were given (web, db): name at most one SERVICE"},
		{args: []string{"stats", "--format", "{{.Name"}, wantCode: 1, wantErr: `invalid --format "{{.Name"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d := dir
			if tt.dir != "" {
				d = tt.dir
			}
			code, out, errOut := berthRun(t, fake, d, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout:\n%q\nwant:\n%q", out, tt.want)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
	if w := writes(fake)[written:]; len(w) != 0 {
		t.Errorf("stats changed the engine: %v", w)
	}
}
