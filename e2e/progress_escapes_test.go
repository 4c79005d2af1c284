package e2e

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestProgressNoEscapes: progress that does not go to a terminal (plain,
// json, or the default through a pipe) never carries an escape code, for
// up and for down; json progress is one object per line with an id and a
// status.
func TestProgressNoEscapes(t *testing.T) {
	requireEngine(t)
	dir := projectDir(t, "TestProgressNoEscapes")
	name := uniqueProjectName(t)
	t.Cleanup(func() {
		if res := runBerth(t, dir, nil, "-p", name, "down", "-v", "-t", "0"); res.ExitCode != 0 {
			t.Errorf("cleanup down -v: %s", res)
		}
	})
	for _, mode := range [][]string{{"--progress", "plain"}, {"--progress", "json"}, nil, {"--ansi", "auto"}} {
		for _, cmd := range [][]string{{"up", "-d"}, {"down", "-v", "-t", "0"}} {
			args := append(append([]string{"-p", name}, mode...), cmd...)
			res := runBerth(t, dir, nil, args...)
			if res.ExitCode != 0 {
				t.Fatalf("berth %s: %s", strings.Join(args, " "), res)
			}
			out := res.Stdout + res.Stderr
			if bytes.IndexByte([]byte(out), 0x1b) >= 0 {
				t.Errorf("berth %s wrote an escape code:\n%q", strings.Join(args, " "), out)
			}
			if !strings.Contains(out, "Container "+name+"-app-1") {
				t.Errorf("berth %s shows no progress for its container:\n%s", strings.Join(args, " "), out)
			}
			if len(mode) > 1 && mode[1] == "json" {
				checkJSONLines(t, res.Stderr)
			}
		}
	}
}

// checkJSONLines fails unless every line of out is a JSON object with an
// id and one of docker compose's status values.
func checkJSONLines(t *testing.T, out string) {
	t.Helper()
	for line := range strings.Lines(out) {
		var ev struct{ ID, Status string }
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Errorf("progress line is not JSON: %v: %q", err, line)
			continue
		}
		if ev.ID == "" || !strings.Contains(" Working Done Warning Error ", " "+ev.Status+" ") {
			t.Errorf("progress line lacks an id or a known status: %q", line)
		}
	}
}
