package cmd

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine/enginetest"
)

// withoutWeb is runYAML after web was dropped: web's container is an
// orphan, on a network the project still declares.
const withoutWeb = `
name: run
services:
  db: {image: busybox, volumes: [data:/data]}
  worker: {image: busybox, networks: [back]}
networks:
  back:
volumes:
  data:
`

func TestLifecycleRun(t *testing.T) {
	up := [][]string{{"up", "-d"}}
	stopped := [][]string{{"up", "-d"}, {"stop"}}
	const allExited = "run-db-1=exited run-web-1=exited run-worker-1=exited"
	tests := []runCase{
		{name: "stop", before: up, args: []string{"stop"}, want: allExited, resources: allResources,
			out: "Container run-db-1  Stopped"},
		{name: "stop a service leaves its dependencies", before: up, args: []string{"stop", "db"},
			want: "run-db-1=exited run-web-1=running run-worker-1=running", resources: allResources},
		{name: "stop -t 0", before: up, args: []string{"stop", "-t", "0", "web"},
			want: "run-db-1=running run-web-1=exited run-worker-1=running", resources: allResources},
		{name: "start", before: stopped, args: []string{"start"}, want: allRunning, resources: allResources,
			out: "Container run-web-1  Started"},
		{name: "start a service alone", before: stopped, args: []string{"start", "worker"},
			want: "run-db-1=exited run-web-1=exited run-worker-1=running", resources: allResources},
		{name: "start brings dependencies", before: stopped, args: []string{"start", "web"},
			want: "run-db-1=running run-web-1=running run-worker-1=exited", resources: allResources},
		{name: "start creates nothing", args: []string{"start"}, resources: ""},
		{name: "restart keeps the containers", before: up, args: []string{"restart"}, want: allRunning, resources: allResources},
		{name: "restart starts stopped ones", before: stopped, args: []string{"restart", "web"},
			want: "run-db-1=exited run-web-1=running run-worker-1=exited", resources: allResources},
		{name: "kill", before: up, args: []string{"kill"}, want: allExited, resources: allResources,
			check: exitCodes(map[string]int{"run-db-1": 137, "run-web-1": 137, "run-worker-1": 137})},
		{name: "kill -s SIGTERM", before: up, args: []string{"kill", "-s", "SIGTERM", "web"},
			want: "run-db-1=running run-web-1=exited run-worker-1=running", resources: allResources,
			check: exitCodes(map[string]int{"run-web-1": 143})},
		{name: "kill -s SIGKILL", before: up, args: []string{"kill", "-s", "SIGKILL", "db"},
			want: "run-db-1=exited run-web-1=running run-worker-1=running", resources: allResources,
			check: exitCodes(map[string]int{"run-db-1": 137})},
		// busybox's shell ignores SIGHUP in the fake: the signal is sent,
		// the container runs on.
		{name: "kill -s SIGHUP", before: up, args: []string{"kill", "--signal", "SIGHUP"}, want: allRunning, resources: allResources},
		{name: "kill skips stopped containers", before: [][]string{{"up", "-d"}, {"stop", "db"}}, args: []string{"kill"},
			want: allExited, resources: allResources, check: exitCodes(map[string]int{"run-db-1": 0, "run-web-1": 137})},
		{name: "pause", before: up, args: []string{"pause"},
			want: "run-db-1=paused run-web-1=paused run-worker-1=paused", resources: allResources},
		{name: "pause a service", before: up, args: []string{"pause", "worker"},
			want: "run-db-1=running run-web-1=running run-worker-1=paused", resources: allResources},
		{name: "unpause", before: [][]string{{"up", "-d"}, {"pause"}}, args: []string{"unpause"},
			want: allRunning, resources: allResources},
		{name: "stop a paused container", before: [][]string{{"up", "-d"}, {"pause", "web"}}, args: []string{"stop", "web"},
			want: "run-db-1=running run-web-1=exited run-worker-1=running", resources: allResources},
		{name: "rm keeps running containers", before: up, args: []string{"rm", "-f"},
			want: allRunning, resources: allResources, out: "running containers are kept"},
		{name: "rm removes stopped ones", before: stopped, args: []string{"rm", "-f"}, resources: allResources},
		{name: "rm -s stops first", before: up, args: []string{"rm", "-s", "-f", "web"},
			want: "run-db-1=running run-worker-1=running", resources: allResources},
		{name: "rm -s -v removes anonymous volumes only", before: up, args: []string{"rm", "-s", "-v", "-f"},
			resources: runNetworks + " volume:run_data"},
		{name: "rm -v of a stopped service", before: stopped, args: []string{"rm", "-v", "-f", "web"},
			want: "run-db-1=exited run-worker-1=exited", resources: runNetworks + " volume:run_data"},
		{name: "scale", before: up, args: []string{"scale", "web=3"},
			want:      "run-db-1=running run-web-1=running run-web-2=running run-web-3=running run-worker-1=running",
			resources: runNetworks + " volume:run_data anonymous:3"},
		{name: "scale brings dependencies", args: []string{"scale", "web=2"},
			want:      "run-db-1=running run-web-1=running run-web-2=running",
			resources: "network:run_default volume:run_data anonymous:2"},
		{name: "scale --no-deps", args: []string{"scale", "--no-deps", "web=2"},
			want: "run-web-1=running run-web-2=running", resources: "network:run_default anonymous:2"},
		{name: "scale to 0", before: up, args: []string{"scale", "worker=0"},
			want: "run-db-1=running run-web-1=running", resources: allResources},
		{name: "--dry-run stop", before: up, args: []string{"--dry-run", "stop"}, want: allRunning, resources: allResources,
			noWrites: true, out: "stop:run-db-1 [after stop:run-web-1]"},
		{name: "--dry-run kill", before: up, args: []string{"--dry-run", "kill", "web"}, want: allRunning, resources: allResources,
			noWrites: true, out: "kill:run-web-1"},
		{name: "--dry-run rm -s -v", before: up, args: []string{"--dry-run", "rm", "-s", "-v", "-f"}, want: allRunning,
			resources: allResources, noWrites: true, out: "remove:run-web-1"},
		{name: "--dry-run scale", before: up, args: []string{"--dry-run", "scale", "web=2"}, want: allRunning,
			resources: allResources, noWrites: true, out: "create:run-web-2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, runYAML) })
	}
}

func TestDownRun(t *testing.T) {
	up := [][]string{{"up", "-d"}}
	tests := []runCase{
		{name: "down keeps volumes", before: up, args: []string{"down"}, resources: "volume:run_data anonymous:1",
			out: "Network run_back  Removed"},
		{name: "down -v removes named and anonymous volumes", before: up, args: []string{"down", "-v"}, resources: ""},
		{name: "down of stopped containers", before: [][]string{{"up", "-d"}, {"stop"}}, args: []string{"down"},
			resources: "volume:run_data anonymous:1"},
		{name: "down of created containers", before: [][]string{{"create"}}, args: []string{"down", "--volumes"}, resources: ""},
		{name: "down twice", before: [][]string{{"up", "-d"}, {"down"}}, args: []string{"down"},
			resources: "volume:run_data anonymous:1"},
		// back served only worker; default is still in use and stays.
		{name: "down a service keeps the rest", before: up, args: []string{"down", "worker"},
			want: "run-db-1=running run-web-1=running", resources: "network:run_default volume:run_data anonymous:1"},
		{name: "down a service keeps networks in use", before: up, args: []string{"down", "web"},
			want: "run-db-1=running run-worker-1=running", resources: allResources},
		{name: "down --remove-orphans", before: up, edit: withoutWeb, args: []string{"down", "--remove-orphans", "-v"},
			resources: ""},
		{name: "down -t 0", before: up, args: []string{"down", "-t", "0"}, resources: "volume:run_data anonymous:1"},
		{name: "--dry-run down -v", before: up, args: []string{"--dry-run", "down", "-v"}, want: allRunning,
			resources: allResources, noWrites: true, out: "remove-volume:run_data [after"},
		{name: "--rmi of an unknown kind", before: up, args: []string{"down", "--rmi", "some"}, wantCode: 1,
			want: allRunning, resources: allResources, noWrites: true, out: `invalid --rmi "some"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, runYAML) })
	}
}

// exitCodes checks the exit code of each named container.
func exitCodes(want map[string]int) func(*testing.T, *enginetest.Fake) {
	return func(t *testing.T, fake *enginetest.Fake) {
		t.Helper()
		for name, code := range want {
			if got := mustContainer(t, fake, name).ExitCode; got != code {
				t.Errorf("%s exited %d, want %d", name, got, code)
			}
		}
	}
}

func TestStopTimeoutReachesTheEngine(t *testing.T) {
	tests := []struct {
		args []string
		want map[string]string // container as it was before -> timeout of its last stop
	}{
		{args: []string{"stop"}, want: map[string]string{"run-web-1": "default", "run-db-1": "default"}},
		{args: []string{"stop", "-t", "0"}, want: map[string]string{"run-web-1": "0s", "run-db-1": "0s"}},
		{args: []string{"stop", "--timeout", "7", "web"}, want: map[string]string{"run-web-1": "7s", "run-db-1": ""}},
		{args: []string{"restart", "-t", "3", "db"}, want: map[string]string{"run-web-1": "", "run-db-1": "3s"}},
		{args: []string{"down", "-t", "0"}, want: map[string]string{"run-web-1": "0s", "run-worker-1": "0s"}},
		{args: []string{"rm", "-s", "-f", "web"}, want: map[string]string{"run-web-1": "default", "run-db-1": ""}},
		{args: []string{"up", "-d", "--force-recreate", "-t", "2", "--no-deps", "db"},
			want: map[string]string{"run-web-1": "", "run-db-1": "2s"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			fake, dir := runningProject(t)
			ids := containerIDs(fake)
			e := newStopTimeouts(fake)
			mustRun(t, e, dir, nil, tt.args...)
			for name, want := range tt.want {
				if got := e.of(ids[name]); got != want {
					t.Errorf("%s stopped with timeout %q, want %q", name, got, want)
				}
			}
		})
	}
}
