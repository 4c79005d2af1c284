package cmd

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/berth-compose/berth/convergence"
	"github.com/berth-compose/berth/engine/enginetest"
)

func TestUpRun(t *testing.T) {
	up := [][]string{{"up", "-d"}}
	tests := []runCase{
		{name: "up -d creates and starts everything", args: []string{"up", "-d"},
			want: allRunning, resources: allResources, out: "Container run-web-1  Started",
			check: func(t *testing.T, fake *enginetest.Fake) {
				wantLabels(t, fake, "run-web-1", map[string]string{
					convergence.LabelProject: "run", convergence.LabelService: "web",
					convergence.LabelContainerNumber: "1", convergence.LabelOneoff: "False",
				})
				wantNetworks(t, fake, "run-web-1", "run_default")
				wantNetworks(t, fake, "run-worker-1", "run_back")
				wantMount(t, fake, "run-db-1", "/data", "run_data")
			}},
		{name: "--scale", args: []string{"up", "-d", "--scale", "web=3"},
			want:      "run-db-1=running run-web-1=running run-web-2=running run-web-3=running run-worker-1=running",
			resources: runNetworks + " volume:run_data anonymous:3",
			check: func(t *testing.T, fake *enginetest.Fake) {
				wantLabels(t, fake, "run-web-3", map[string]string{convergence.LabelContainerNumber: "3"})
			}},
		// The anonymous volumes of removed replicas stay, as with docker compose.
		{name: "--scale down keeps the lowest numbers", before: [][]string{{"up", "-d", "--scale", "web=3"}},
			args: []string{"up", "-d", "--scale", "web=1"}, want: allRunning, resources: runNetworks + " volume:run_data anonymous:3"},
		{name: "--scale 0", args: []string{"up", "-d", "--scale", "web=0"},
			want: "run-db-1=running run-worker-1=running", resources: runNetworks + " volume:run_data"},
		{name: "--no-start", args: []string{"up", "--no-start"},
			want: allCreated, resources: allResources},
		{name: "a service brings its dependencies", args: []string{"up", "-d", "web"},
			want: "run-db-1=running run-web-1=running", resources: "network:run_default volume:run_data anonymous:1"},
		{name: "--no-deps brings the service alone", args: []string{"up", "-d", "--no-deps", "web"},
			want: "run-web-1=running", resources: "network:run_default anonymous:1"},
		{name: "up again changes nothing", before: up, args: []string{"up", "-d"},
			want: allRunning, resources: allResources},
		{name: "--force-recreate", before: up, args: []string{"up", "-d", "--force-recreate"},
			want: allRunning, resources: allResources,
			recreated: []string{"run-db-1", "run-web-1", "run-worker-1"}},
		{name: "--force-recreate of one service", before: up, args: []string{"up", "-d", "--force-recreate", "--no-deps", "worker"},
			want: allRunning, resources: allResources, recreated: []string{"run-worker-1"}},
		// A recreate carries the anonymous volume over; -V gives a new one
		// and leaves the old one behind.
		{name: "--force-recreate -V", before: up, args: []string{"up", "-d", "--force-recreate", "-V", "--no-deps", "web"},
			want: allRunning, resources: runNetworks + " volume:run_data anonymous:2", recreated: []string{"run-web-1"}},
		{name: "up starts what is stopped", before: [][]string{{"up", "-d"}, {"stop"}}, args: []string{"up", "-d"},
			want: allRunning, resources: allResources},
		{name: "--dry-run prints the plan", args: []string{"--dry-run", "up", "-d"}, noWrites: true,
			out: "create:run-web-1 [after create-network:run_default]"},
		{name: "--dry-run --scale over a running project", before: up, args: []string{"--dry-run", "up", "-d", "--scale", "web=2"},
			want: allRunning, resources: allResources, noWrites: true, out: "create:run-web-2"},
		{name: "--dry-run --force-recreate", before: up, args: []string{"--dry-run", "up", "-d", "--force-recreate"},
			want: allRunning, resources: allResources, noWrites: true, out: "run-web-1"},
		{name: "create", args: []string{"create"}, want: allCreated, resources: allResources},
		{name: "create --scale", args: []string{"create", "--scale", "worker=2"},
			want: allCreated + " run-worker-2=created", resources: allResources},
		{name: "create leaves running containers running", before: up, args: []string{"create"},
			want: allRunning, resources: allResources},
		{name: "create --force-recreate leaves them created", before: up, args: []string{"create", "--force-recreate", "worker"},
			want:      "run-db-1=running run-web-1=running run-worker-1=created",
			resources: allResources, recreated: []string{"run-worker-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, runYAML) })
	}
}

func TestUpRefusals(t *testing.T) {
	tests := []runCase{
		{name: "--force-recreate with --no-recreate", args: []string{"up", "-d", "--force-recreate", "--no-recreate"},
			wantCode: 1, out: "incompatible"},
		{name: "--always-recreate-deps with --no-recreate", args: []string{"up", "-d", "--always-recreate-deps", "--no-recreate"},
			wantCode: 1, out: "incompatible"},
		{name: "--scale without a number", args: []string{"up", "-d", "--scale", "web"}, wantCode: 1, out: `invalid --scale "web"`},
		{name: "--scale below zero", args: []string{"up", "-d", "--scale", "web=-1"}, wantCode: 1, out: `invalid --scale "web=-1"`},
		{name: "--scale of an unknown service", args: []string{"up", "-d", "--scale", "nosuch=2"}, wantCode: 1,
			out: "invalid --scale nosuch=2: no such service: nosuch"},
		{name: "--scale of an unknown service to create", args: []string{"create", "--scale", "web=2", "--scale", "nosuch=0"},
			wantCode: 1, out: "no such service: nosuch"},
		{name: "--pull of an unknown policy", args: []string{"up", "-d", "--pull", "sometimes"}, wantCode: 1, out: `invalid --pull "sometimes"`},
		{name: "scale without a number", args: []string{"scale", "web"}, wantCode: 1, out: `invalid --scale "web"`},
		{name: "scale with nothing to scale", args: []string{"scale"}, wantCode: 1, out: "requires at least 1 arg"},
	}
	for _, tt := range tests {
		tt.noWrites = true
		t.Run(tt.name, func(t *testing.T) { tt.run(t, runYAML) })
	}
}

func TestUpPullNever(t *testing.T) {
	fake := enginetest.New() // without busybox
	code, _, errOut := berthRun(t, fake, projectIn(t, runYAML), nil, "up", "-d", "--pull", "never")
	if code != 1 || !strings.Contains(errOut, "--pull never forbids pulling") {
		t.Errorf("exit %d, stderr %q; want a refusal that says pulling is forbidden", code, errOut)
	}
	if w := writes(fake); len(w) > 0 {
		t.Errorf("up --pull never with no image changed the engine: %v", w)
	}
}

func wantLabels(t *testing.T, fake *enginetest.Fake, container string, want map[string]string) {
	t.Helper()
	labels := mustContainer(t, fake, container).Labels
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("%s: label %s = %q, want %q (labels: %v)", container, k, labels[k], v, slices.Sorted(maps.Keys(labels)))
		}
	}
}

func wantNetworks(t *testing.T, fake *enginetest.Fake, container string, want ...string) {
	t.Helper()
	got := slices.Sorted(slices.Values(mustContainer(t, fake, container).Networks))
	if !slices.Equal(got, want) {
		t.Errorf("%s: networks %v, want %v", container, got, want)
	}
}

func wantMount(t *testing.T, fake *enginetest.Fake, container, dest, volume string) {
	t.Helper()
	for _, m := range mustContainer(t, fake, container).Mounts {
		if m.Destination == dest {
			if m.Name != volume {
				t.Errorf("%s: %s mounts %q, want volume %q", container, dest, m.Name, volume)
			}
			return
		}
	}
	t.Errorf("%s: nothing mounted at %s", container, dest)
}
