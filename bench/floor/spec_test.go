package main

import (
	"slices"
	"testing"

	"github.com/berth-compose/berth/bench"
)

// TestSpecsMatchTheComposeFile checks that the floor builds what a compose
// tool would for the same service: compose's names, the first network at
// create and the others connected, ports, named volumes, healthcheck.
func TestSpecsMatchTheComposeFile(t *testing.T) {
	t.Setenv(bench.ChangeVar, "5") // as the "one service changed" step sets it
	p, err := bench.Shape("mixed", 0)
	if err != nil {
		t.Fatal(err)
	}
	specs := containerSpecs("fl", p)
	if len(specs) != 12 {
		t.Fatalf("%d specs, want 12", len(specs))
	}
	api := specs[slices.IndexFunc(p.Services, func(s bench.Service) bool { return s.Name == "api" })]
	c := api.create
	if c.Name != "fl-api-1" || c.Config.Image != bench.Image || c.HostConfig.Init == nil || !*c.HostConfig.Init {
		t.Errorf("api: name %q image %q init %v; want fl-api-1, %s, init", c.Name, c.Config.Image, c.HostConfig.Init, bench.Image)
	}
	if c.HostConfig.NetworkMode != "fl_back" || len(api.connect) != 1 || api.connect["fl_front"] == nil {
		t.Errorf("api networks: create on %q, connect %v; want fl_back, then fl_front", c.HostConfig.NetworkMode, keys(api.connect))
	}
	if c.Config.Healthcheck == nil || len(c.HostConfig.PortBindings) != 1 || len(c.HostConfig.Mounts) != 0 {
		t.Errorf("api: healthcheck %v, ports %v, mounts %v", c.Config.Healthcheck, c.HostConfig.PortBindings, c.HostConfig.Mounts)
	}
	f := floor{project: "fl", specs: specs}
	if got, want := f.networks(), []string{"fl_back", "fl_front"}; !slices.Equal(got, want) {
		t.Errorf("networks = %v, want %v", got, want)
	}
	if got, want := f.volumes(), []string{"fl_db-data", "fl_queue-data", "fl_search-data", "fl_metrics-data"}; !slices.Equal(got, want) {
		t.Errorf("volumes = %v, want %v", got, want)
	}
	if last := specs[len(specs)-1].create.Config.Env; !slices.Contains(last, bench.ChangeVar+"=5") {
		t.Errorf("last service env = %v, want %s=5 from the environment", last, bench.ChangeVar)
	}
}
