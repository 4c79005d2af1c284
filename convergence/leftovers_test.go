package convergence

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
)

// TestPlanUpFinishesInterruptedRecreates: whatever state a Ctrl-C left a
// recreate in, the next plan ends with exactly one container per number
// under its final name.
func TestPlanUpFinishesInterruptedRecreates(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  db: {image: db:1}\n")
	old := running(t, p, "db", 1)
	old.Labels[LabelConfigHash] = "old"
	old.Created = time.Unix(100, 0)
	successor := func(prefix string, created int64) engine.Container {
		c := running(t, p, "db", 1)
		c.ID, c.Name, c.State, c.Created = "id-"+prefix, prefix+"_shop-db-1", engine.StateCreated, time.Unix(created, 0)
		return c
	}
	stoppedOld := old
	stoppedOld.State = engine.StateExited
	tests := []struct {
		name       string
		containers []engine.Container
		want       string
	}{
		{
			name:       "successor created, original still there: the successor goes, the recreate starts over",
			containers: []engine.Container{old, successor("aaaaaaaaaaaa", 200)},
			want: `create:shop-db-1 (configuration changed)
remove:aaaaaaaaaaaa_shop-db-1 (left by an interrupted recreate)
remove:shop-db-1 [after stop:shop-db-1] (configuration changed)
rename:shop-db-1 [after create:shop-db-1 remove:shop-db-1] (configuration changed)
start:shop-db-1 [after rename:shop-db-1] (configuration changed)
started:db [after start:shop-db-1]
stop:shop-db-1 [after create:shop-db-1] (configuration changed)
`,
		},
		{
			name:       "original stopped but not removed: same",
			containers: []engine.Container{stoppedOld, successor("aaaaaaaaaaaa", 200)},
			want: `create:shop-db-1 (configuration changed)
remove:aaaaaaaaaaaa_shop-db-1 (left by an interrupted recreate)
remove:shop-db-1 [after stop:shop-db-1] (configuration changed)
rename:shop-db-1 [after create:shop-db-1 remove:shop-db-1] (configuration changed)
start:shop-db-1 [after rename:shop-db-1] (configuration changed)
started:db [after start:shop-db-1]
stop:shop-db-1 [after create:shop-db-1] (configuration changed)
`,
		},
		{
			name:       "original removed: the successor takes its name and starts",
			containers: []engine.Container{successor("aaaaaaaaaaaa", 200)},
			want: `rename:aaaaaaaaaaaa_shop-db-1 (finishing an interrupted recreate)
start:shop-db-1 [after rename:aaaaaaaaaaaa_shop-db-1] (was created)
started:db [after start:shop-db-1]
`,
		},
		{
			name:       "two successors of two interrupted runs: the newer is kept",
			containers: []engine.Container{successor("aaaaaaaaaaaa", 200), successor("bbbbbbbbbbbb", 300)},
			want: `remove:aaaaaaaaaaaa_shop-db-1 (left by an interrupted recreate)
rename:bbbbbbbbbbbb_shop-db-1 (finishing an interrupted recreate)
start:shop-db-1 [after rename:bbbbbbbbbbbb_shop-db-1] (was created)
started:db [after start:shop-db-1]
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := observed(p, tt.containers...)
			withDefaultNetwork(o)
			plan, err := PlanUp(p, g, o, UpOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestPlanUpNeverReusesTemporaryNames: the successor's name comes from
// TempPrefix, not from the old id, so a leftover of an earlier run under
// the old id's name cannot clash with it.
func TestPlanUpNeverReusesTemporaryNames(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  db: {image: db:1}\n")
	old := running(t, p, "db", 1)
	old.Labels[LabelConfigHash] = "old"
	o := observed(p, old)
	withDefaultNetwork(o)
	plan, err := PlanUp(p, g, o, UpOptions{TempPrefix: func() string { return "0123456789ab" }})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range plan.Actions {
		if a.Kind == CreateContainer && a.Resource != "0123456789ab_shop-db-1" {
			t.Errorf("successor created as %q, want 0123456789ab_shop-db-1", a.Resource)
		}
	}
}

// TestPlanDownRemovesLeftovers: down removes a successor left under its
// temporary name too, or the network it is attached to could not go.
func TestPlanDownRemovesLeftovers(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  db: {image: db:1}\n")
	tmp := running(t, p, "db", 1)
	tmp.ID, tmp.Name, tmp.State = "id-tmp", "aaaaaaaaaaaa_shop-db-1", engine.StateCreated
	o := observed(p, running(t, p, "db", 1), tmp)
	o.Networks["shop_default"] = engine.Network{ID: "net", Name: "shop_default", Labels: map[string]string{LabelProject: "shop"}}
	plan, err := PlanDown(p, g, o, DownOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `remove-network:shop_default [after remove:aaaaaaaaaaaa_shop-db-1 remove:shop-db-1]
remove:aaaaaaaaaaaa_shop-db-1
remove:shop-db-1 [after stop:shop-db-1]
stop:shop-db-1
`
	if got := plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

func TestIsTemporaryName(t *testing.T) {
	for name, want := range map[string]bool{
		"0123456789ab_shop-db-1": true,
		"shop-db-1":              false,
		"0123456789ab_":          false,
		"0123456789AB_shop-db-1": false,
		"0123456789a_shop-db-1":  false,
		"my_container":           false,
	} {
		if got := IsTemporaryName(name); got != want {
			t.Errorf("IsTemporaryName(%q) = %v, want %v", name, got, want)
		}
	}
}

// TestPlanUpTemporaryNameOfALeftover: when the successor's temporary name
// is that of a leftover being removed, the removal comes first.
func TestPlanUpTemporaryNameOfALeftover(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  db: {image: db:1}\n")
	old := running(t, p, "db", 1)
	old.Labels[LabelConfigHash] = "old"
	leftover := running(t, p, "db", 1)
	leftover.ID, leftover.Name, leftover.State = "id-left", "0123456789ab_shop-db-1", engine.StateCreated
	o := withDefaultNetwork(observed(p, old, leftover))
	plan, err := PlanUp(p, g, o, UpOptions{TempPrefix: func() string { return "0123456789ab" }})
	if err != nil {
		t.Fatal(err)
	}
	if want := "create:shop-db-1 [after remove:0123456789ab_shop-db-1] (configuration changed)\n"; !strings.Contains(plan.String(), want) {
		t.Errorf("plan lacks %q:\n%s", want, plan)
	}
}
