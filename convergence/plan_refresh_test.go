package convergence

import (
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
)

// TestPlanUpRefreshPolicies: daily, weekly and every_<duration> pull a
// present image again once its last pull is older than the interval.
func TestPlanUpRefreshPolicies(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, policy string
		pulledAt     map[string]time.Time
		opts         UpOptions
		want         string // the pull line, "" for none
	}{
		{name: "daily, pulled an hour ago", policy: "daily", pulledAt: map[string]time.Time{"db:1": now.Add(-time.Hour)}},
		{name: "daily, pulled 25 hours ago", policy: "daily", pulledAt: map[string]time.Time{"db:1": now.Add(-25 * time.Hour)},
			want: "pull:db:1 (pull_policy: daily, last pulled 25h0m0s ago)\n"},
		{name: "daily, exactly a day ago is due", policy: "daily", pulledAt: map[string]time.Time{"db:1": now.Add(-24 * time.Hour)},
			want: "pull:db:1 (pull_policy: daily, last pulled 24h0m0s ago)\n"},
		{name: "weekly, pulled three days ago", policy: "weekly", pulledAt: map[string]time.Time{"db:1": now.Add(-72 * time.Hour)}},
		{name: "weekly, no pull on record", policy: "weekly",
			want: "pull:db:1 (pull_policy: weekly, no pull on record)\n"},
		{name: "every_2h, pulled 3 hours ago", policy: "every_2h", pulledAt: map[string]time.Time{"db:1": now.Add(-3 * time.Hour)},
			want: "pull:db:1 (pull_policy: every_2h, last pulled 3h0m0s ago)\n"},
		{name: "every_1d12h, pulled a day ago", policy: "every_1d12h", pulledAt: map[string]time.Time{"db:1": now.Add(-24 * time.Hour)}},
		{name: "--pull missing overrides the interval", policy: "daily", opts: UpOptions{Pull: PullMissing}},
		{name: "--pull always overrides it too", policy: "weekly", pulledAt: map[string]time.Time{"db:1": now}, opts: UpOptions{Pull: PullAlways},
			want: "pull:db:1 (--pull always)\n"},
		{name: "refresh without an interval is missing", policy: "refresh"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, g := loadProject(t, "name: img\nservices:\n  db: {image: db:1, pull_policy: "+tt.policy+"}\n")
			o := observed(p)
			o.Images = map[string]string{"db:1": "sha256:db"}
			o.ImagesPulledAt = tt.pulledAt
			tt.opts.Now = now
			plan, err := PlanUp(p, g, o, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var pulls string
			for _, line := range strings.SplitAfter(plan.String(), "\n") {
				if strings.HasPrefix(line, "pull:") {
					pulls += line
				}
			}
			if pulls != tt.want {
				t.Errorf("pulls = %q, want %q\nplan:\n%s", pulls, tt.want, plan)
			}
		})
	}
}

// TestPlanUpPullsFirst: with a pull planned, every step that waited for
// nothing waits for it, orphan removals and repairs of an interrupted
// recreate included, so a failed pull changes nothing on the engine.
func TestPlanUpPullsFirst(t *testing.T) {
	p, g := loadProject(t, "name: img\nservices:\n  web: {image: web:1}\n  db: {image: db:1}\n")
	orphan := running(t, p, "db", 1)
	orphan.Name, orphan.ID = "img-old-1", "id-old"
	orphan.Labels[LabelService] = "old"
	o := observed(p, running(t, p, "db", 1), orphan)
	o.Images = map[string]string{"db:1": "sha256:db"}
	plan, err := PlanUp(p, g, o, UpOptions{RemoveOrphans: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `create-network:img_default [after pull:web:1] (missing)
create:img-web-1 [after create-network:img_default pull:web:1] (new container)
pull:web:1 (missing)
remove:img-old-1 [after stop:img-old-1] (orphan)
start:img-web-1 [after create:img-web-1] (new container)
started:db [after pull:web:1]
started:web [after start:img-web-1]
stop:img-old-1 [after pull:web:1] (orphan)
`
	if got := plan.String(); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
	for _, a := range plan.Actions {
		if a.ID == PullImage.ID("web:1") && (len(a.Services) != 1 || a.Services[0] != "web") {
			t.Errorf("pull is for services %v, want [web]", a.Services)
		}
	}
}

// TestPlanUpPullNamesEveryService: one pull serves every service of its
// image, and says so.
func TestPlanUpPullNamesEveryService(t *testing.T) {
	p, g := loadProject(t, imagesYAML)
	o := withDefaultNetwork(observed(p))
	o.Networks["img_default"] = engine.Network{Name: "img_default", Labels: map[string]string{LabelProject: "img"}}
	o.Images = map[string]string{}
	plan, err := PlanUp(p, g, o, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	services := map[ActionID][]string{}
	for _, a := range plan.Actions {
		if a.Kind == PullImage {
			services[a.ID] = a.Services
		}
	}
	if got := strings.Join(services["pull:shared:1"], ","); got != "api,web" {
		t.Errorf("pull:shared:1 is for %q, want api,web", got)
	}
	if got := strings.Join(services["pull:db:1"], ","); got != "db" {
		t.Errorf("pull:db:1 is for %q, want db", got)
	}
}
