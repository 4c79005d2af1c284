package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine/enginetest"
)

const parityYAML = `
name: parity
services:
  web: {image: busybox, depends_on: [db]}
  db: {image: busybox, volumes: [data:/data]}
volumes:
  data:
`

func TestCommandsByProjectName(t *testing.T) {
	fake := enginetest.New().WithImage("busybox", "sha256:b")
	mustRun(t, fake, projectIn(t, parityYAML), nil, "up", "-d")
	away := emptyDir(t)
	steps := []struct {
		args []string
		env  []string
		want string // states after the step
		out  string // in stdout or stderr
	}{
		{args: []string{"-p", "parity", "ps", "--services"}, want: "parity-db-1=running parity-web-1=running", out: "db\nweb\n"},
		{args: []string{"-p", "parity", "stop", "web"}, want: "parity-db-1=running parity-web-1=exited"},
		{args: []string{"-p", "parity", "start"}, want: "parity-db-1=running parity-web-1=running"},
		{args: []string{"-p", "parity", "pause"}, want: "parity-db-1=paused parity-web-1=paused"},
		{args: []string{"-p", "parity", "unpause", "db"}, want: "parity-db-1=running parity-web-1=paused"},
		{args: []string{"unpause"}, env: []string{"COMPOSE_PROJECT_NAME=parity"}, want: "parity-db-1=running parity-web-1=running"},
		{args: []string{"-p", "parity", "kill", "db"}, want: "parity-db-1=exited parity-web-1=running"},
		{args: []string{"-p", "parity", "restart"}, want: "parity-db-1=running parity-web-1=running"},
		{args: []string{"-p", "parity", "stop"}, want: "parity-db-1=exited parity-web-1=exited"},
		{args: []string{"-p", "parity", "rm", "-f", "web"}, want: "parity-db-1=exited"},
		{args: []string{"-p", "parity", "down", "-v"}, want: ""},
	}
	for _, st := range steps {
		out := mustRun(t, fake, away, st.env, st.args...)
		if got := states(fake); got != st.want {
			t.Fatalf("after %v: containers %q, want %q", st.args, got, st.want)
		}
		if !strings.Contains(out, st.out) {
			t.Errorf("%v printed %q, want it to contain %q", st.args, out, st.out)
		}
	}
	if got := resourceNames(fake); got != "" {
		t.Errorf("after down -v by name, left: %s", got)
	}
}

func TestCommandsByNameNeedTheModel(t *testing.T) {
	away := emptyDir(t)
	for _, args := range [][]string{{"up", "-d"}, {"create"}, {"config"}, {"graph"}, {"ps"}, {"down"}} {
		name := append([]string{"-p", "parity"}, args...)
		if args[0] == "ps" || args[0] == "down" {
			name = args // without a name, even these need the file
		}
		code, _, errOut := berthRun(t, enginetest.New(), away, nil, name...)
		if code != 1 || !strings.Contains(errOut, "no configuration file provided") {
			t.Errorf("berth %v: exit %d, stderr %q; want the missing compose file named", name, code, errOut)
		}
	}
}

func TestDownByNameKeepsOtherProjects(t *testing.T) {
	fake := enginetest.New().WithImage("busybox", "sha256:b")
	mustRun(t, fake, projectIn(t, parityYAML), nil, "up", "-d")
	mustRun(t, fake, projectIn(t, strings.Replace(parityYAML, "name: parity", "name: other", 1)), nil, "up", "-d")
	mustRun(t, fake, emptyDir(t), nil, "-p", "parity", "down", "-v")
	if got, want := states(fake), "other-db-1=running other-web-1=running"; got != want {
		t.Errorf("containers %q, want %q", got, want)
	}
	if got, want := resourceNames(fake), "network:other_default volume:other_data"; got != want {
		t.Errorf("resources %q, want %q", got, want)
	}
}

// orphaned brings parityYAML up, then drops web from the file: web's
// container is an orphan of the project in the returned dir.
func orphaned(t *testing.T) (*enginetest.Fake, string) {
	t.Helper()
	fake := enginetest.New().WithImage("busybox", "sha256:b")
	dir := projectIn(t, parityYAML)
	mustRun(t, fake, dir, nil, "up", "-d")
	withoutWeb := "name: parity\nservices:\n  db: {image: busybox, volumes: [data:/data]}\nvolumes:\n  data:\n"
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(withoutWeb), 0o644); err != nil {
		t.Fatal(err)
	}
	return fake, dir
}

func TestOrphanEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		env      []string
		args     []string
		dotEnv   string
		wantCode int
		want     string // containers after
		wantOut  string
		noOut    string
	}{
		{name: "up warns about orphans", args: []string{"up", "-d"},
			want: "parity-db-1=running parity-web-1=running", wantOut: "orphan"},
		{name: "COMPOSE_IGNORE_ORPHANS silences up", args: []string{"up", "-d"}, env: []string{"COMPOSE_IGNORE_ORPHANS=true"},
			want: "parity-db-1=running parity-web-1=running", noOut: "orphan"},
		{name: "COMPOSE_IGNORE_ORPHANS from .env", args: []string{"up", "-d"}, dotEnv: "COMPOSE_IGNORE_ORPHANS=1\n",
			want: "parity-db-1=running parity-web-1=running", noOut: "orphan"},
		{name: "COMPOSE_IGNORE_ORPHANS with --remove-orphans", args: []string{"up", "-d", "--remove-orphans"},
			env: []string{"COMPOSE_IGNORE_ORPHANS=true"}, wantCode: 1,
			want: "parity-db-1=running parity-web-1=running", wantOut: "unset one of the two"},
		{name: "COMPOSE_REMOVE_ORPHANS for up", args: []string{"up", "-d"}, env: []string{"COMPOSE_REMOVE_ORPHANS=true"},
			want: "parity-db-1=running"},
		{name: "COMPOSE_REMOVE_ORPHANS for create", args: []string{"create"}, env: []string{"COMPOSE_REMOVE_ORPHANS=1"},
			want: "parity-db-1=running"},
		{name: "COMPOSE_REMOVE_ORPHANS for down", args: []string{"down"}, env: []string{"COMPOSE_REMOVE_ORPHANS=true"}},
		// The orphan keeps the network in use: down leaves the network,
		// says why, and succeeds.
		{name: "an explicit false wins over COMPOSE_REMOVE_ORPHANS", args: []string{"down", "--remove-orphans=false"},
			env: []string{"COMPOSE_REMOVE_ORPHANS=true"}, want: "parity-web-1=running", wantOut: "orphan"},
		{name: "COMPOSE_REMOVE_ORPHANS that is not true", args: []string{"down"}, env: []string{"COMPOSE_REMOVE_ORPHANS=yes"},
			want: "parity-web-1=running", wantOut: "network parity_default is kept: still used by parity-web-1"},
		{name: "kill leaves orphans", args: []string{"kill"}, want: "parity-db-1=exited parity-web-1=running"},
		{name: "kill --remove-orphans kills them too", args: []string{"kill", "--remove-orphans"},
			want: "parity-db-1=exited parity-web-1=exited"},
		{name: "kill --remove-orphans with a service named", args: []string{"kill", "--remove-orphans", "db"},
			want: "parity-db-1=exited parity-web-1=running"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake, dir := orphaned(t)
			if tt.dotEnv != "" {
				if err := os.WriteFile(filepath.Join(dir, ".env"), []byte(tt.dotEnv), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, out, errOut := berthRun(t, fake, dir, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if got := states(fake); got != tt.want {
				t.Errorf("containers %q, want %q", got, tt.want)
			}
			if !strings.Contains(out+errOut, tt.wantOut) {
				t.Errorf("output %q, want it to contain %q", out+errOut, tt.wantOut)
			}
			if tt.noOut != "" && strings.Contains(out+errOut, tt.noOut) {
				t.Errorf("output %q, want no %q", out+errOut, tt.noOut)
			}
		})
	}
}

func TestStatusStdout(t *testing.T) {
	tests := []struct {
		env      string
		onStdout bool
	}{
		{env: "", onStdout: false},
		{env: "COMPOSE_STATUS_STDOUT=true", onStdout: true},
		{env: "COMPOSE_STATUS_STDOUT=1", onStdout: true},
		{env: "COMPOSE_STATUS_STDOUT=0", onStdout: false},
		{env: "COMPOSE_STATUS_STDOUT=yes", onStdout: false}, // not a ParseBool true
	}
	for _, tt := range tests {
		t.Run(tt.env, func(t *testing.T) {
			fake := enginetest.New().WithImage("busybox", "sha256:b")
			code, out, errOut := berthRun(t, fake, projectIn(t, parityYAML), []string{tt.env}, "up", "-d")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			status, other := errOut, out
			if tt.onStdout {
				status, other = out, errOut
			}
			if !strings.Contains(status, "Container parity-web-1  Started") || strings.Contains(other, "Started") {
				t.Errorf("stdout %q, stderr %q: want the progress on stdout=%t only", out, errOut, tt.onStdout)
			}
		})
	}
}

func TestRmWarnsOnlyAboutItsServices(t *testing.T) {
	tests := []struct {
		args     []string
		want     string
		wantWarn string // "" for no warning
	}{
		{args: []string{"rm", "-f", "db"}, want: "parity-web-1=running"},
		{args: []string{"rm", "-f", "web"}, want: "parity-db-1=exited parity-web-1=running", wantWarn: "[parity-web-1]"},
		{args: []string{"rm", "-f"}, want: "parity-web-1=running", wantWarn: "[parity-web-1]"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fake := enginetest.New().WithImage("busybox", "sha256:b")
			dir := projectIn(t, parityYAML)
			mustRun(t, fake, dir, nil, "up", "-d")
			mustRun(t, fake, dir, nil, "stop", "db")
			out := mustRun(t, fake, dir, nil, tt.args...)
			if got := states(fake); got != tt.want {
				t.Errorf("containers %q, want %q", got, tt.want)
			}
			warned := strings.Contains(out, "running containers are kept")
			if warned != (tt.wantWarn != "") || !strings.Contains(out, tt.wantWarn) {
				t.Errorf("output %q, want warning %q", out, tt.wantWarn)
			}
		})
	}
}

func TestSharedContainerNameCreatesNothing(t *testing.T) {
	const yaml = `
name: clash
services:
  web: {image: busybox, container_name: shared}
  api: {image: busybox, container_name: shared}
  db: {image: busybox}
`
	want := `services api and web all set container_name "shared"`
	for _, args := range [][]string{{"up", "-d"}, {"create"}, {"config"}, {"up", "-d", "api", "web"}} {
		fake := enginetest.New().WithImage("busybox", "sha256:b")
		code, _, errOut := berthRun(t, fake, projectIn(t, yaml), nil, args...)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("berth %v: exit %d, stderr %q; want %q", args, code, errOut, want)
		}
		if calls := fake.Calls("CreateContainer", "CreateNetwork", "CreateVolume", "PullImage"); len(calls) > 0 {
			t.Errorf("berth %v made %v before refusing", args, calls)
		}
	}
}

func TestAnsiAndProgress(t *testing.T) {
	dir := projectIn(t, shopYAML)
	refused := []struct {
		args    []string
		env     []string
		wantErr string
	}{
		{args: []string{"--ansi", "never", "--progress", "tty"}, wantErr: "--ansi never"},
		{args: []string{"--progress", "tty"}, env: []string{"COMPOSE_ANSI=never"}, wantErr: "COMPOSE_ANSI=never"},
		{args: []string{"--ansi", "always", "--progress", "plain"}, wantErr: "--ansi always"},
	}
	for _, tt := range refused {
		deps, _, errOut := testDeps(tt.env...)
		args := append([]string{"--project-directory", dir}, append(tt.args, "config", "-q")...)
		if code := Execute(context.Background(), deps, args); code != 1 || !strings.Contains(errOut.String(), tt.wantErr) {
			t.Errorf("%v %v: exit %d, stderr %q; want a refusal naming %q", tt.env, tt.args, code, errOut, tt.wantErr)
		}
	}
	modes := []struct {
		ansi, progress, want string
	}{
		{ansi: "never", progress: "plain", want: "plain"},
		{ansi: "never", progress: "auto", want: "plain"},
		{ansi: "never", want: "plain"},
		{ansi: "always", want: "tty"},
		{ansi: "always", progress: "json", want: "json"},
		{ansi: "auto", progress: "quiet", want: "quiet"},
		{ansi: "auto", want: ""},
	}
	for _, tt := range modes {
		o := &globalOptions{Ansi: tt.ansi, Progress: tt.progress}
		if got := o.progressMode(); got != tt.want {
			t.Errorf("--ansi %s --progress %q: mode %q, want %q", tt.ansi, tt.progress, got, tt.want)
		}
	}
}
