package e2e

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAliasBomb: a compose file whose YAML aliases expand to billions of
// nodes, given directly, through include or on stdin, makes config and up
// fail at once with one line naming the file, and up creates nothing.
func TestAliasBomb(t *testing.T) {
	requireEngine(t)
	dir := projectDir(t, t.Name())
	bomb, err := os.ReadFile(filepath.Join(dir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		stdin string
		file  string // what the error must name
	}{
		{name: "config", args: []string{"config", "-q"}, file: filepath.Join(dir, "compose.yaml")},
		{name: "up", args: []string{"up", "-d"}, file: filepath.Join(dir, "compose.yaml")},
		{name: "up with the bomb included", args: []string{"-f", "include.yaml", "up", "-d"}, file: filepath.Join(dir, "parts", "bomb.yaml")},
		{name: "up from stdin", args: []string{"-f", "-", "up", "-d"}, stdin: string(bomb), file: "stdin (-f -)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := uniqueProjectName(t)
			t.Cleanup(func() { removeProjectResources(t, name) })
			res := runBerthInput(t, dir, nil, tt.stdin, append([]string{"-p", name}, tt.args...)...)
			if res.ExitCode <= 0 {
				t.Fatalf("want a non-zero exit from berth itself: %s", res)
			}
			msg := strings.TrimSpace(res.Stderr)
			want := tt.file + ": YAML aliases expand to more than 1000000 nodes"
			if strings.Contains(msg, "\n") || !strings.HasPrefix(msg, want) {
				t.Errorf("stderr = %q, want one line starting %q", msg, want)
			}
			for _, kind := range []string{"containers", "networks", "volumes"} {
				if got := projectResources(t, kind, name); len(got) > 0 {
					t.Errorf("%s created for project %s: %v", kind, name, got)
				}
			}
		})
	}
}

// projectResources returns the IDs (names for volumes) of the containers,
// networks or volumes the engine has with the project's label.
func projectResources(t *testing.T, kind, project string) []string {
	t.Helper()
	filter := url.QueryEscape(fmt.Sprintf(`{"label":["com.docker.compose.project=%s"]}`, project))
	path := "/" + kind + "?filters=" + filter
	if kind == "containers" {
		path = "/containers/json?all=1&filters=" + filter
	}
	code, body := dockerAPI(t, "GET", path)
	if code != 200 {
		t.Fatalf("listing %s: %d %s", kind, code, body)
	}
	type resource struct {
		ID   string `json:"Id"`
		Name string
	}
	var list []resource
	if kind == "volumes" {
		var v struct{ Volumes []resource }
		err := json.Unmarshal(body, &v)
		list = v.Volumes
		if err != nil {
			t.Fatal(err)
		}
	} else if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range list {
		if r.ID == "" { // volumes have only a name
			r.ID = r.Name
		}
		out = append(out, r.ID)
	}
	return out
}

// removeProjectResources deletes whatever a failing run created: `down`
// cannot, as it would load the same bomb and refuse.
func removeProjectResources(t *testing.T, project string) {
	for _, c := range projectResources(t, "containers", project) {
		dockerAPI(t, "DELETE", "/containers/"+c+"?force=1&v=1")
	}
	for _, n := range projectResources(t, "networks", project) {
		dockerAPI(t, "DELETE", "/networks/"+n)
	}
	for _, v := range projectResources(t, "volumes", project) {
		dockerAPI(t, "DELETE", "/volumes/"+v)
	}
}
