package convergence

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

const twoServicesYAML = `
name: shop
services:
  web: {image: web:1, depends_on: [db]}
  db: {image: db:1, volumes: [data:/data]}
volumes:
  data:
`

// changedResources observes web and db running, attached to shop_default
// and (db) mounting shop_data, with the network's and volume's hash labels
// from another configuration.
func changedResources(t *testing.T) (*Observed, func(...string) *Observed) {
	p, _ := loadProject(t, twoServicesYAML)
	web, db := running(t, p, "web", 1), running(t, p, "db", 1)
	web.Networks, db.Networks = []string{"shop_default"}, []string{"shop_default"}
	db.Mounts = []engine.Mount{{Type: "volume", Name: "shop_data", Destination: "/data"}}
	o := withNetworkAndVolume(observed(p, web, db))
	return o, func(which ...string) *Observed {
		for _, w := range which {
			if w == "network" {
				o.Networks["shop_default"].Labels[LabelConfigHash] = "another"
			} else {
				o.Volumes["shop_data"].Labels[LabelConfigHash] = "another"
			}
		}
		return o
	}
}

// TestPlanUpRecreatesChangedNetwork: as docker compose does, a network
// whose configuration changed is removed and made again; its containers
// are stopped, disconnected, reconnected and started, not recreated.
func TestPlanUpRecreatesChangedNetwork(t *testing.T) {
	p, g := loadProject(t, twoServicesYAML)
	_, change := changedResources(t)
	plan, err := PlanUp(p, g, change("network"), UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `connect:shop-db-1:shop_default [after create-network:shop_default] (network shop_default is made again)
connect:shop-web-1:shop_default [after create-network:shop_default] (network shop_default is made again)
create-network:shop_default [after remove-network:shop_default] (configuration changed)
disconnect:shop-db-1:shop_default [after stop:shop-db-1] (network shop_default is made again)
disconnect:shop-web-1:shop_default [after stop:shop-web-1] (network shop_default is made again)
remove-network:shop_default [after disconnect:shop-db-1:shop_default disconnect:shop-web-1:shop_default] (configuration changed)
start:shop-db-1 [after connect:shop-db-1:shop_default] (network shop_default is made again)
start:shop-web-1 [after connect:shop-web-1:shop_default] (network shop_default is made again)
started:db
started:web
stop:shop-db-1 (network shop_default is made again)
stop:shop-web-1 (network shop_default is made again)
`
	if got := plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestPlanUpChangedVolume: a changed volume is made again only when the
// user says yes; then its containers go first (the data is given up), and
// come back on the new volume. Without a yes it stays, with a warning.
func TestPlanUpChangedVolume(t *testing.T) {
	p, g := loadProject(t, twoServicesYAML)
	tests := []struct {
		name    string
		answer  bool
		want    []string
		wantNot []string
	}{
		{name: "no: kept, with a warning", answer: false,
			want:    []string{"warning: volume shop_data exists with a configuration other than the compose file's; it is kept", "run up with -y"},
			wantNot: []string{"remove-volume", "create:"}},
		{name: "yes: containers removed first, the volume made again, then new containers", answer: true, want: []string{
			"remove-volume:shop_data [after remove:shop-db-1] (configuration changed)\n",
			"create-volume:shop_data [after remove-volume:shop_data] (configuration changed)\n",
			"remove:shop-db-1 [after stop:shop-db-1] (volume shop_data is made again)\n",
			"create:shop-db-1 [after create-volume:shop_data remove:shop-db-1] (volume shop_data is made again)\n",
		}, wantNot: []string{"create:shop-web-1", "rename:"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, change := changedResources(t)
			var asked []string
			plan, err := PlanUp(p, g, change("volume"), UpOptions{Confirm: func(q string) bool { asked = append(asked, q); return tt.answer }})
			if err != nil {
				t.Fatal(err)
			}
			if len(asked) != 1 || !strings.Contains(asked[0], "Volume shop_data") || !strings.Contains(asked[0], "data will be lost") {
				t.Errorf("questions asked: %q", asked)
			}
			for _, w := range tt.want {
				if !strings.Contains(plan.String(), w) {
					t.Errorf("plan lacks %q:\n%s", w, plan)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(plan.String(), w) {
					t.Errorf("plan has %q:\n%s", w, plan)
				}
			}
		})
	}
}
