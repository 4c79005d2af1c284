package convergence

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/progress"
)

const pullYAML = `
name: pl
services:
  web:  {image: "shared:1"}
  api:  {image: "shared:1"}
  job:  {image: "docker.io/library/shared:1"}
  db:   {image: "db:1"}
  cache: {image: "cache"}
  app:  {build: .}
  tool: {image: "tool:1", build: .}
  fixed: {image: "fixed:1", pull_policy: never}
  lazy: {image: "lazy:1", pull_policy: missing}
  daily: {image: "daily:1", pull_policy: daily}
`

// planText is an image plan as the tests compare it: its plan lines, each
// with its services and whether it only warns, then its skips.
func planText(ip *ImagePlan) string {
	var b strings.Builder
	for _, a := range ip.Plan.sorted() {
		fmt.Fprintf(&b, "%s for %s", a.ID, strings.Join(a.Services, ","))
		if a.Optional {
			b.WriteString(" optional")
		}
		if a.Reason != "" {
			b.WriteString(" (" + a.Reason + ")")
		}
		b.WriteByte('\n')
	}
	for _, s := range ip.Skipped {
		fmt.Fprintf(&b, "skip %s %s: %s\n", s.Service, s.Image, s.Why)
	}
	return b.String()
}

func TestPlanPull(t *testing.T) {
	all := []string{"api", "app", "cache", "daily", "db", "fixed", "job", "lazy", "tool", "web"}
	tests := []struct {
		name     string
		services []string
		images   map[string]string
		opts     PullOptions
		want     string
	}{
		{
			name:     "each image once however it is spelled; skips say why",
			services: all,
			images:   map[string]string{"lazy:1": "sha256:l"},
			want: `pull:cache for cache
pull:daily:1 for daily (pull_policy: daily)
pull:db:1 for db
pull:shared:1 for api,job,web
pull:tool:1 for tool optional
skip app : No image to be pulled
skip fixed fixed:1: 
skip lazy lazy:1: Image is already present locally
`,
		},
		{
			name:     "--policy missing skips present images, but not latest ones",
			services: []string{"cache", "db", "web"},
			images:   map[string]string{"cache": "sha256:c", "db:1": "sha256:d"},
			opts:     PullOptions{Policy: "missing"},
			want: `pull:cache for cache (--policy missing)
pull:shared:1 for web (--policy missing)
skip db db:1: Image is already present locally
`,
		},
		{
			name:     "--policy always pulls even what pull_policy never keeps",
			services: []string{"fixed"},
			images:   map[string]string{"fixed:1": "sha256:f"},
			opts:     PullOptions{Policy: "always"},
			want:     "pull:fixed:1 for fixed (--policy always)\n",
		},
		{
			name:     "--ignore-buildable skips services with a build section",
			services: []string{"app", "tool", "db"},
			opts:     PullOptions{IgnoreBuildable: true},
			want: `pull:db:1 for db
skip app : No image to be pulled
skip tool tool:1: Image can be built
`,
		},
		{
			name:     "--ignore-pull-failures makes every pull only warn",
			services: []string{"db", "web"},
			opts:     PullOptions{IgnoreFailures: true},
			want:     "pull:db:1 for db optional\npull:shared:1 for web optional\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := loadProject(t, pullYAML)
			ip, err := PlanPull(p, tt.services, tt.images, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := planText(ip); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// TestPlanPullSharedWithBuildable: one image that a built service and a
// pulled one share must be pulled; its failure is an error.
func TestPlanPullSharedWithBuildable(t *testing.T) {
	p, _ := loadProject(t, "name: pl\nservices:\n  a: {image: x:1, build: .}\n  b: {image: x:1}\n")
	ip, err := PlanPull(p, []string{"a", "b"}, nil, PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := planText(ip); got != "pull:x:1 for a,b\n" {
		t.Errorf("plan:\n%s", got)
	}
}

func TestPlanPush(t *testing.T) {
	p, _ := loadProject(t, `
name: pu
services:
  web: {image: "reg.example/web:1", build: {context: ., tags: ["reg.example/web:latest", "reg.example/web:1"]}}
  api: {image: "reg.example/web:1", build: .}
  db: {image: "db:1"}
  app: {build: .}
`)
	ip, err := PlanPush(p, []string{"web", "api", "db", "app"}, PushOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `push:reg.example/web:1 for api,web
push:reg.example/web:latest for web
skip app : 
skip db : 
`
	if got := planText(ip); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
	ip, err = PlanPush(p, []string{"api"}, PushOptions{IgnoreFailures: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := planText(ip); got != "push:reg.example/web:1 for api optional\n" {
		t.Errorf("--ignore-push-failures plan:\n%s", got)
	}
}

func TestImagePlanEmit(t *testing.T) {
	ip := &ImagePlan{Skipped: []Skip{{Service: "app", Why: "No image to be pulled"}, {Service: "db", Image: "db:1"}}}
	var got []string
	at := time.Unix(1, 0)
	ip.Emit(progress.SinkFunc(func(e progress.Event) {
		if e.Status != progress.Done || !e.Time.Equal(at) {
			t.Errorf("event %+v: want done at %v", e, at)
		}
		got = append(got, e.ID()+": "+e.Text)
	}), at)
	want := "Service app: Skipped - No image to be pulled|Image db:1: Skipped"
	if strings.Join(got, "|") != want {
		t.Errorf("events %q, want %q", strings.Join(got, "|"), want)
	}
}
