package convergence

import (
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

const imagesYAML = `
name: img
services:
  web:
    image: shared:1
  api:
    image: shared:1
  db:
    image: db:1
`

func TestPlanUpImages(t *testing.T) {
	tests := []struct {
		name   string
		yaml   string // imagesYAML when empty
		images map[string]string
		opts   UpOptions
		// want lists the plan's pull lines and the creates' lines.
		want    string
		wantErr string
	}{
		{
			name:   "an image two services use is pulled once, and both creates wait for it",
			images: map[string]string{"db:1": "sha256:db"},
			want: `create:img-api-1 [after create-network:img_default pull:shared:1] (new container)
create:img-db-1 [after create-network:img_default] (new container)
create:img-web-1 [after create-network:img_default pull:shared:1] (new container)
pull:shared:1 (missing)
`,
		},
		{
			name:   "present images are not pulled",
			images: map[string]string{"db:1": "sha256:db", "shared:1": "sha256:s"},
			want: `create:img-api-1 [after create-network:img_default] (new container)
create:img-db-1 [after create-network:img_default] (new container)
create:img-web-1 [after create-network:img_default] (new container)
`,
		},
		{
			name:    "--pull never refuses a missing image, naming the service",
			images:  map[string]string{"db:1": "sha256:db"},
			opts:    UpOptions{Pull: PullNever},
			wantErr: "service api: image shared:1 is not on the engine, and --pull never forbids pulling it",
		},
		{
			name:    "pull_policy: never refuses a missing image",
			yaml:    "name: img\nservices:\n  db: {image: db:1, pull_policy: never}\n",
			images:  map[string]string{},
			wantErr: "service db: image db:1 is not on the engine, and pull_policy: never forbids pulling it",
		},
		{
			name:   "--pull missing overrides pull_policy: never",
			yaml:   "name: img\nservices:\n  db: {image: db:1, pull_policy: never}\n",
			images: map[string]string{},
			opts:   UpOptions{Pull: PullMissing},
			want:   "create:img-db-1 [after create-network:img_default pull:db:1] (new container)\npull:db:1 (missing)\n",
		},
		{
			name:   "pull_policy: always pulls a present image",
			yaml:   "name: img\nservices:\n  db: {image: db:1, pull_policy: always}\n  web: {image: web:1}\n",
			images: map[string]string{"db:1": "sha256:db", "web:1": "sha256:web"},
			want: `create:img-db-1 [after create-network:img_default pull:db:1] (new container)
create:img-web-1 [after create-network:img_default] (new container)
pull:db:1 (pull_policy: always)
`,
		},
		{
			name:   "--pull always pulls every present image",
			images: map[string]string{"db:1": "sha256:db", "shared:1": "sha256:s"},
			opts:   UpOptions{Pull: PullAlways},
			want: `create:img-api-1 [after create-network:img_default pull:shared:1] (new container)
create:img-db-1 [after create-network:img_default pull:db:1] (new container)
create:img-web-1 [after create-network:img_default pull:shared:1] (new container)
pull:db:1 (--pull always)
pull:shared:1 (--pull always)
`,
		},
		{
			name:   "if_not_present is missing",
			yaml:   "name: img\nservices:\n  db: {image: db:1, pull_policy: if_not_present}\n",
			images: map[string]string{},
			want:   "create:img-db-1 [after create-network:img_default pull:db:1] (new container)\npull:db:1 (missing)\n",
		},
		{
			name:   "a refresh interval pulls a missing image",
			yaml:   "name: img\nservices:\n  db: {image: db:1, pull_policy: daily}\n",
			images: map[string]string{},
			want:   "create:img-db-1 [after create-network:img_default pull:db:1] (new container)\npull:db:1 (missing)\n",
		},
		{
			name:    "a service to build whose image is missing is refused by a command that does not build",
			yaml:    "name: img\nservices:\n  app: {build: .}\n",
			images:  map[string]string{},
			wantErr: "service app: its image img-app must be built, which this command does not do; run `berth build app` first",
		},
		{
			name:   "a service to build whose image was built by hand uses it",
			yaml:   "name: img\nservices:\n  app: {build: .}\n",
			images: map[string]string{"img-app": "sha256:app"},
			want:   "create:img-app-1 [after create-network:img_default] (new container)\n",
		},
		{
			name:    "pull_policy: build cannot pull a missing image",
			yaml:    "name: img\nservices:\n  db: {image: db:1, pull_policy: build, build: .}\n",
			images:  map[string]string{},
			wantErr: "service db: its image db:1 must be built",
		},
		{
			name:   "only the selected services' images are pulled",
			images: map[string]string{},
			opts:   UpOptions{Services: []string{"db"}},
			want:   "create:img-db-1 [after create-network:img_default pull:db:1] (new container)\npull:db:1 (missing)\n",
		},
		{
			name: "without an image snapshot nothing is pulled",
			want: `create:img-api-1 [after create-network:img_default] (new container)
create:img-db-1 [after create-network:img_default] (new container)
create:img-web-1 [after create-network:img_default] (new container)
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := tt.yaml
			if yaml == "" {
				yaml = imagesYAML
			}
			p, g := loadProject(t, yaml)
			o := observed(p)
			o.Images = tt.images
			plan, err := PlanUp(p, g, o, tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := imageLines(plan.String()); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// imageLines keeps the lines a pull changes: pulls, creates, warnings.
func imageLines(plan string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(plan, "\n") {
		if strings.HasPrefix(line, "pull:") || strings.HasPrefix(line, "create:") || strings.HasPrefix(line, "warning:") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// TestPlanUpImagesDryRunText is the whole --dry-run text of a fresh project
// whose image is missing, and of one whose running containers are kept
// while pull_policy: always pulls their image again.
func TestPlanUpImagesDryRunText(t *testing.T) {
	p, g := loadProject(t, "name: img\nservices:\n  web: {image: web:1}\n  api: {image: web:1, pull_policy: always}\n")
	fresh := observed(p)
	fresh.Images = map[string]string{}
	plan, err := PlanUp(p, g, fresh, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := `create-network:img_default [after pull:web:1] (missing)
create:img-api-1 [after create-network:img_default pull:web:1] (new container)
create:img-web-1 [after create-network:img_default pull:web:1] (new container)
pull:web:1 (pull_policy: always)
start:img-api-1 [after create:img-api-1] (new container)
start:img-web-1 [after create:img-web-1] (new container)
started:api [after start:img-api-1]
started:web [after start:img-web-1]
`
	if got := plan.String(); got != want {
		t.Errorf("fresh project:\n%s\nwant:\n%s", got, want)
	}

	up := withDefaultNetwork(observed(p, running(t, p, "api", 1), running(t, p, "web", 1)))
	up.Networks["img_default"] = engine.Network{Name: "img_default", Labels: map[string]string{LabelProject: "img"}}
	up.Images = map[string]string{"web:1": "sha256:web"}
	plan, err = PlanUp(p, g, up, UpOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want = "pull:web:1 (pull_policy: always)\nstarted:api [after pull:web:1]\nstarted:web [after pull:web:1]\n"
	if got := plan.String(); got != want {
		t.Errorf("running project:\n%s\nwant:\n%s", got, want)
	}
}

func TestPlanUpStartOnlyPullsNothing(t *testing.T) {
	p, g := loadProject(t, imagesYAML)
	o := observed(p)
	o.Images = map[string]string{}
	plan, err := PlanUp(p, g, o, UpOptions{StartOnly: true, Pull: PullAlways})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plan.String(), "pull:") {
		t.Errorf("start planned pulls:\n%s", plan)
	}
}
