package cmd

import (
	"slices"
	"strings"
	"testing"
)

// TestLogsRun: flags reach the log stream: which containers, how many
// lines, whether prefixed; colours stay off when stdout is no terminal.
func TestLogsRun(t *testing.T) {
	fake, dir := mixedProject(t)
	for name, out := range map[string]string{"run-web-1": "w1 a\nw1 b\n", "run-web-2": "w2\n", "run-worker-1": "done\n"} {
		if err := fake.WriteStdout(name, out); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args     []string
		wantCode int
		want     string // stdout, lines sorted
		wantErr  string
	}{
		{args: []string{"logs", "worker"}, want: "worker-1  | done\n"},
		{args: []string{"logs", "--no-log-prefix", "worker"}, want: "done\n"},
		{args: []string{"logs", "--tail", "1", "--index", "1", "web"}, want: "web-1  | w1 b\n"},
		{args: []string{"logs", "-n", "0", "web"}, want: ""},
		{args: []string{"--ansi", "never", "logs", "web"}, want: "web-1  | w1 a\nweb-1  | w1 b\nweb-2  | w2\n"},
		{args: []string{"logs", "--tail", "some"}, wantCode: 1, wantErr: `invalid --tail "some"`},
		{args: []string{"logs", "--index", "-2"}, wantCode: 1, wantErr: "invalid --index -2"},
		{args: []string{"logs", "nope"}, wantCode: 1, wantErr: "nope"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if got := sortLines(out); got != tt.want {
				t.Errorf("stdout:\n%q\nwant:\n%q", got, tt.want)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

func sortLines(s string) string {
	if s == "" {
		return ""
	}
	lines := strings.SplitAfter(s, "\n")
	slices.Sort(lines)
	return strings.Join(lines, "")
}
