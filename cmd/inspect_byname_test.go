package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestInspectCommandsByName: with -p and no compose file in reach, top,
// port, images, volumes, export and commit work from the engine's labels,
// and a service no container belongs to is named in the error.
func TestInspectCommandsByName(t *testing.T) {
	fake, _ := runningProject(t)
	if err := fake.SetPorts("run-web-1", engine.Port{HostIP: "0.0.0.0", Private: 80, Public: 8080, Protocol: "tcp"}); err != nil {
		t.Fatal(err)
	}
	away := emptyDir(t)
	tar := filepath.Join(t.TempDir(), "db.tar")
	tests := []struct {
		args []string
		want string // in stdout
	}{
		{[]string{"top", "web"}, "web      1   root"},
		{[]string{"port", "web", "80"}, "0.0.0.0:8080\n"},
		{[]string{"images", "-q", "db"}, "b\n"},
		{[]string{"volumes", "-q"}, "run_data\n"},
		{[]string{"export", "-o", tar, "db"}, ""},
		{[]string{"commit", "db", "dbsnap"}, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, away, nil, append([]string{"-p", "run"}, tt.args...)...)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 0 and %q", code, out, errOut, tt.want)
			}
		})
	}
	if _, err := fake.InspectImage(t.Context(), "dbsnap"); err != nil {
		t.Errorf("commit by name made no image: %v", err)
	}
	for _, args := range [][]string{{"top", "nosuch"}, {"port", "nosuch", "80"}, {"images", "nosuch"}, {"volumes", "nosuch"}, {"commit", "nosuch"}} {
		code, _, errOut := berthRun(t, fake, away, nil, append([]string{"-p", "run"}, args...)...)
		if code != 1 || !strings.Contains(errOut, "no such service: nosuch (no container of project run belongs to it)") {
			t.Errorf("%v by name: exit %d, stderr %q", args, code, errOut)
		}
	}
}
