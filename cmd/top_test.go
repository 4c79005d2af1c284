package cmd

import (
	"bytes"
	"strings"
	"testing"
)

// TestPrintTop: columns are at least 4 wide (the # and C columns show
// it) and 2 apart, as docker compose lays its top table out.
func TestPrintTop(t *testing.T) {
	ps := []string{"UID", "PID", "CMD"}
	tests := []struct {
		name  string
		procs []containerProcesses
		want  string
	}{
		{"nothing runs: nothing printed", []containerProcesses{{service: "web", number: "1", titles: ps}}, ""},
		{"one table for all, service and number first",
			[]containerProcesses{
				{service: "db", number: "1", titles: ps, rows: [][]string{{"root", "7", "postgres"}}},
				{service: "web", number: "2", titles: ps, rows: [][]string{{"root", "8", "sh -c x"}, {"www", "9", "nginx"}}},
			},
			"SERVICE  #   UID   PID  CMD\n" +
				"db       1   root  7    postgres\n" +
				"web      2   root  8    sh -c x\n" +
				"web      2   www   9    nginx\n"},
		{"columns one ps lacks read -, CMD stays last",
			[]containerProcesses{
				{service: "a", number: "1", titles: ps, rows: [][]string{{"root", "1", "init"}}},
				{service: "b", number: "1", titles: []string{"PID", "CMD", "RSS"}, rows: [][]string{{"2", "top", "900"}}},
			},
			"SERVICE  #   UID   PID  RSS  CMD\n" +
				"a        1   root  1    -    init\n" +
				"b        1   -     2    900  top\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := printTop(&out, tt.procs); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", out.String(), tt.want)
			}
		})
	}
}

func TestTopRun(t *testing.T) {
	fake, dir := runningProject(t)
	mustRun(t, fake, dir, nil, "stop", "worker")
	if err := fake.SetProcesses("run-web-1", []string{"UID", "PID", "CMD"}, [][]string{{"root", "42", "httpd -f"}}); err != nil {
		t.Fatal(err)
	}
	written := len(writes(fake))
	tests := []struct {
		args     []string
		wantCode int
		want     string // stdout, exactly
		wantErr  string
	}{
		{args: []string{"top"}, want: "SERVICE  #   UID   PID  PPID  C   STIME  TTY  TIME      CMD\n" +
			"db       1   root  1    0     0   00:00  ?    00:00:00  sh\n" +
			"web      1   root  42   -     -   -      -    -         httpd -f\n"},
		{args: []string{"top", "web"}, want: "SERVICE  #   UID   PID  CMD\nweb      1   root  42   httpd -f\n"},
		{args: []string{"top", "worker"}, want: ""},
		{args: []string{"top", "web", "nosuch"}, wantCode: 1, wantErr: "no such service: nosuch"},
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
		t.Errorf("top changed the engine: %v", w)
	}
}
