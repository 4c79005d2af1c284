package convergence

import (
	"testing"

	"github.com/berth-compose/berth/engine"
)

// TestPlanUpScale: scaling down removes outdated replicas first, then the
// highest numbers; nothing kept is recreated only to be removed, and new
// replicas are numbered after the highest existing one.
func TestPlanUpScale(t *testing.T) {
	p, g := loadProject(t, "name: shop\nservices:\n  web: {image: web:1}\n")
	current := func(n int) engine.Container { return running(t, p, "web", n) }
	outdated := func(n int) engine.Container {
		c := running(t, p, "web", n)
		c.Labels[LabelConfigHash] = "old"
		return c
	}
	tests := []struct {
		name       string
		containers []engine.Container
		scale      int
		want       string
	}{
		{
			name:       "4 to 2 with 1 and 2 outdated: 1 and 2 go, nothing is recreated",
			containers: []engine.Container{outdated(1), outdated(2), current(3), current(4)},
			scale:      2,
			want: `remove:shop-web-1 [after stop:shop-web-1] (scaled down to 2)
remove:shop-web-2 [after stop:shop-web-2] (scaled down to 2)
started:web
stop:shop-web-1 (scaled down to 2)
stop:shop-web-2 (scaled down to 2)
`,
		},
		{
			name:       "all up to date: the highest numbers go",
			containers: []engine.Container{current(1), current(2), current(3)},
			scale:      1,
			want: `remove:shop-web-2 [after stop:shop-web-2] (scaled down to 1)
remove:shop-web-3 [after stop:shop-web-3] (scaled down to 1)
started:web
stop:shop-web-2 (scaled down to 1)
stop:shop-web-3 (scaled down to 1)
`,
		},
		{
			name:       "scale up after gaps: numbered after the highest",
			containers: []engine.Container{current(3)},
			scale:      2,
			want: `create:shop-web-4 (new container)
start:shop-web-4 [after create:shop-web-4] (new container)
started:web [after start:shop-web-4]
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := withDefaultNetwork(observed(p, tt.containers...))
			plan, err := PlanUp(p, g, o, UpOptions{Scale: map[string]int{"web": tt.scale}})
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}
