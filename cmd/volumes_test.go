package cmd

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

func TestVolumesRun(t *testing.T) {
	fake, dir := runningProject(t)
	fake.WithVolumes(engine.Volume{Name: "elsewhere_data", Driver: "local", Labels: map[string]string{"com.docker.compose.project": "elsewhere"}})
	var v engine.Volume
	for _, vol := range fake.Volumes() {
		if vol.Name == "run_data" {
			v = vol
		}
	}
	if v.Name == "" {
		t.Fatalf("no volume run_data: %s", resourceNames(fake))
	}
	labels := joinLabels(v.Labels)
	written := len(writes(fake))
	tests := []struct {
		args     []string
		wantCode int
		want     string // stdout, exactly
		wantErr  string
	}{
		{args: []string{"volumes"}, want: "DRIVER    VOLUME NAME\nlocal     run_data\n"},
		{args: []string{"volumes", "-q"}, want: "run_data\n"},
		{args: []string{"volumes", "-q", "db"}, want: "run_data\n"},
		// web mounts only an anonymous volume, which is no project's.
		{args: []string{"volumes", "web"}, want: "DRIVER    VOLUME NAME\n"},
		{args: []string{"volumes", "--format", `{{.Name}} {{.Label "com.docker.compose.volume"}}`}, want: "run_data data\n"},
		{args: []string{"volumes", "--format", `table {{.Name}}\t{{.Scope}}\t{{.Size}}`}, want: "VOLUME NAME   SCOPE     SIZE\nrun_data      local     N/A\n"},
		{args: []string{"volumes", "--format", "raw"}, want: "name: run_data\ndriver: local\n\n"},
		{args: []string{"volumes", "--format", "json"}, want: `{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"` + labels +
			`","Links":"N/A","Mountpoint":"` + v.Mountpoint + `","Name":"run_data","Scope":"local","Size":"N/A","Status":"N/A"}` + "\n"},
		{args: []string{"volumes", "--format", "{{.Name"}, wantCode: 1, wantErr: "not a valid template"},
		{args: []string{"volumes", "-q", "--format", "{{.Name"}, want: "run_data\n"},
		{args: []string{"volumes", "nosuch"}, wantCode: 1, wantErr: "no such service: nosuch"},
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
		t.Errorf("volumes changed the engine: %v", w)
	}
}

// TestVolumesOfStoppedService: with services named, only the volumes of
// their running containers count, as in docker compose.
func TestVolumesOfStoppedService(t *testing.T) {
	fake, dir := runningProject(t)
	mustRun(t, fake, dir, nil, "stop", "db")
	if out := mustRun(t, fake, dir, nil, "volumes", "-q", "db"); out != "" {
		t.Errorf("volumes of a stopped db = %q, want none", out)
	}
	if out := mustRun(t, fake, dir, nil, "volumes", "-q"); out != "run_data\n" {
		t.Errorf("volumes of the project = %q, want run_data", out)
	}
}
