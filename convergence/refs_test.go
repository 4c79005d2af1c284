package convergence

import (
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

const refsYAML = `
name: shop
services:
  vpn: {image: db:1, environment: {GEN: "%s"}}
  app: {image: web:1, network_mode: service:vpn, volumes_from: ["vpn:ro"]}
`

// composeRefHash is the config hash docker compose stamps on app: the
// service with its references replaced by vpn's container id, written out
// by hand here so the test does not lean on ResolveServiceReferences.
func composeRefHash(t *testing.T, app types.ServiceConfig, vpnID string) string {
	t.Helper()
	app.NetworkMode = "container:" + vpnID
	app.VolumesFrom = []string{vpnID}
	hash, err := ServiceHash(app)
	if err != nil {
		t.Fatal(err)
	}
	return hash
}

func containerNamed(t *testing.T, f *enginetest.Fake, name string) engine.ContainerDetails {
	t.Helper()
	c, ok := f.Container(name)
	if !ok {
		t.Fatalf("no container %s", name)
	}
	return c
}

// A service that uses another's container carries the hash docker compose
// gives it, so neither tool recreates the other's containers; when the
// container it uses is replaced, it is replaced too, and its new hash has
// the new id in it.
func TestServiceReferencesHashLikeCompose(t *testing.T) {
	p, _ := loadProject(t, strings.Replace(refsYAML, "%s", "1", 1))
	f := fakeWithImages()
	if err := applyUp(t, f, p, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	vpn := containerNamed(t, f, "shop-vpn-1")
	app := containerNamed(t, f, "shop-app-1")
	if got, want := app.Labels[LabelConfigHash], composeRefHash(t, p.Services["app"], vpn.ID); got != want {
		t.Fatalf("app config-hash = %s, want compose's %s", got, want)
	}

	creates := len(f.Calls("CreateContainer"))
	if err := applyUp(t, f, p, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.Calls("CreateContainer")) - creates; n != 0 {
		t.Fatalf("unchanged project created %d containers", n)
	}

	changed, g := loadProject(t, strings.Replace(refsYAML, "%s", "2", 1))
	o, err := Observe(t.Context(), f, changed.Name)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := PlanUp(changed, g, o, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "create:shop-app-1 [after create:shop-vpn-1 rename:shop-vpn-1 started:vpn] (dependency vpn recreated: network_mode uses its container)"; !strings.Contains(plan.String(), want) {
		t.Errorf("plan:\n%s\nwant it to contain %s", plan, want)
	}
	if err := applyUp(t, f, changed, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	newVPN := containerNamed(t, f, "shop-vpn-1")
	newApp := containerNamed(t, f, "shop-app-1")
	if newVPN.ID == vpn.ID || newApp.ID == app.ID {
		t.Fatalf("vpn %s -> %s, app %s -> %s: both must be replaced", vpn.ID, newVPN.ID, app.ID, newApp.ID)
	}
	if got, want := newApp.Labels[LabelConfigHash], composeRefHash(t, changed.Services["app"], newVPN.ID); got != want {
		t.Errorf("recreated app config-hash = %s, want compose's %s (with vpn's new id)", got, want)
	}
}

// A container whose hash was taken with the references unresolved (an
// older berth) is replaced once, to carry compose's hash.
func TestServiceReferencesUnresolvedHashRecreates(t *testing.T) {
	p, g := loadProject(t, strings.Replace(refsYAML, "%s", "1", 1))
	app := running(t, p, "app", 1) // hashed as written
	o := withDefaultNetwork(observed(p, running(t, p, "vpn", 1), app))
	plan, err := PlanUp(p, g, o, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plan.String(), "create:shop-app-1 [after started:vpn] (configuration changed)") || strings.Contains(plan.String(), "create:shop-vpn-1") {
		t.Errorf("plan:\n%s\nwant app alone recreated", plan)
	}
	app.Labels[LabelConfigHash] = composeRefHash(t, p.Services["app"], "id-shop-vpn-1")
	o = withDefaultNetwork(observed(p, running(t, p, "vpn", 1), app))
	if plan, err = PlanUp(p, g, o, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("compose's hash must be up to date:\n%s", plan)
	}
}

// With nothing started (create, up --no-start), a container that names
// another's is still created after it: the engine needs it to exist.
func TestServiceReferencesCreateOrder(t *testing.T) {
	p, g := loadProject(t, strings.Replace(refsYAML, "%s", "1", 1))
	plan, err := PlanUp(p, g, withDefaultNetwork(observed(p)), UpOptions{NoStart: true})
	if err != nil {
		t.Fatal(err)
	}
	if want := "create:shop-app-1 [after create:shop-vpn-1 started:vpn] (new container)"; !strings.Contains(plan.String(), want) {
		t.Errorf("plan:\n%s\nwant it to contain %s", plan, want)
	}
}

// volumes_from "container:name" refers to no service, yet compose hashes it
// as the bare name, access mode dropped.
func TestVolumesFromContainerHash(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  app: {image: web:1, volumes_from: [\"container:data:ro\"]}\n")
	app := p.Services["app"]
	bare := app
	bare.VolumesFrom = []string{"data"}
	want, err := ServiceHash(bare)
	if err != nil {
		t.Fatal(err)
	}
	c := running(t, p, "app", 1)
	c.Labels[LabelConfigHash] = want
	plan, err := PlanUp(p, g, withDefaultNetwork(observed(p, c)), UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Empty() {
		t.Errorf("a container with compose's hash is recreated:\n%s", plan)
	}
	f := fakeWithImages()
	if err := applyUp(t, f, p, UpOptions{NoStart: true}); err != nil {
		t.Fatal(err)
	}
	if got := containerNamed(t, f, "shop-app-1").Labels[LabelConfigHash]; got != want {
		t.Errorf("berth stamps %s, compose %s", got, want)
	}
}
