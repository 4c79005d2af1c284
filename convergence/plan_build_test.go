package convergence

import (
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/engine"
)

// buildYAML: web and worker build from base's image, api has both an
// image and a build section, db only pulls.
const buildYAML = `
name: b
services:
  base: {build: ./base}
  web: {build: ./web, depends_on: [db]}
  worker: {build: ./worker}
  api: {image: shop/api:1, build: ./api}
  db: {image: db:1}
`

// fakeBuilds is a BuildFunc that needs no files: needs says which
// services' images each build reads. Each service builds its own folder,
// but the twins (twin-a, twin-b...) build the same one alike.
func fakeBuilds(needs map[string][]string) BuildFunc {
	return func(s types.ServiceConfig) (*build.Build, error) {
		if s.Name == "broken" {
			return nil, errors.New("service broken: there is no Dockerfile at /x/Dockerfile")
		}
		dir, _, _ := strings.Cut(s.Name, "-")
		return &build.Build{Service: s.Name, Needs: needs[s.Name], Request: engine.BuildRequest{ContextDir: "/src/" + dir, Tags: []string{s.Name}}}, nil
	}
}

func TestPlanUpBuilds(t *testing.T) {
	needs := map[string][]string{"web": {"base"}, "worker": {"base"}}
	tests := []struct {
		name    string
		yaml    string
		images  map[string]string
		opts    UpOptions
		want    string // build lines and creates
		wantErr string
	}{
		{
			name:   "missing images build, in order of the images they read, and creates wait for them",
			images: map[string]string{"db:1": "sha256:db"},
			want: `build:b-base (missing)
build:b-web [after build:b-base] (missing)
build:b-worker [after build:b-base] (missing)
build:shop/api:1 (missing)
create:b-api-1 [after build:shop/api:1 create-network:b_default] (new container)
create:b-base-1 [after build:b-base create-network:b_default] (new container)
create:b-db-1 [after create-network:b_default] (new container)
create:b-web-1 [after build:b-web create-network:b_default] (new container)
create:b-worker-1 [after build:b-worker create-network:b_default] (new container)
`,
		},
		{
			name:   "present images are used as they are",
			images: map[string]string{"db:1": "sha256:db", "b-base": "1", "b-web": "2", "b-worker": "3", "shop/api:1": "4"},
			want: `create:b-api-1 [after create-network:b_default] (new container)
create:b-base-1 [after create-network:b_default] (new container)
create:b-db-1 [after create-network:b_default] (new container)
create:b-web-1 [after create-network:b_default] (new container)
create:b-worker-1 [after create-network:b_default] (new container)
`,
		},
		{
			name:   "--build rebuilds the selection, the image it reads first",
			images: map[string]string{"db:1": "sha256:db", "b-base": "1", "b-web": "2", "b-worker": "3", "shop/api:1": "4"},
			opts:   UpOptions{Services: []string{"web"}, Builds: BuildAlways},
			want: `build:b-base (needed by web)
build:b-web [after build:b-base] (--build)
create:b-db-1 [after create-network:b_default] (new container)
create:b-web-1 [after build:b-web create-network:b_default] (new container)
`,
		},
		{
			name:   "a selected service's build brings the missing image it reads along",
			images: map[string]string{"db:1": "sha256:db"},
			opts:   UpOptions{Services: []string{"worker"}, NoDeps: true},
			want: `build:b-base (needed by worker)
build:b-worker [after build:b-base] (missing)
create:b-worker-1 [after build:b-worker create-network:b_default] (new container)
`,
		},
		{
			name:    "--no-build refuses a missing image that only a build makes",
			images:  map[string]string{"db:1": "sha256:db"},
			opts:    UpOptions{Builds: BuildNever},
			wantErr: "service base: image b-base is not on the engine, and --no-build forbids building it",
		},
		{
			name:   "--no-build pulls a missing image the service names",
			yaml:   "name: b\nservices:\n  api: {image: shop/api:1, build: ./api}\n",
			images: map[string]string{},
			opts:   UpOptions{Builds: BuildNever},
			want:   "create:b-api-1 [after create-network:b_default pull:shop/api:1] (new container)\npull:shop/api:1 (missing)\n",
		},
		{
			name:   "pull_policy: build builds a present image",
			yaml:   "name: b\nservices:\n  api: {image: shop/api:1, build: ./api, pull_policy: build}\n",
			images: map[string]string{"shop/api:1": "sha256:api"},
			want:   "build:shop/api:1 (pull_policy: build)\ncreate:b-api-1 [after build:shop/api:1 create-network:b_default] (new container)\n",
		},
		{
			name:   "two services of one image build it once",
			yaml:   "name: b\nservices:\n  a: {image: shared:1, build: .}\n  b: {image: shared:1, build: .}\n",
			images: map[string]string{},
			want: `build:shared:1 (missing)
create:b-a-1 [after build:shared:1 create-network:b_default] (new container)
create:b-b-1 [after build:shared:1 create-network:b_default] (new container)
`,
		},
		{
			name:   "services whose builds are the same share one, which tags every image",
			yaml:   "name: b\nservices:\n  twin-a: {build: ./twin}\n  twin-b: {build: ./twin}\n  solo: {build: ./solo}\n",
			images: map[string]string{},
			want: `build:b-solo (missing)
build:b-twin-a (missing; also b-twin-b)
create:b-solo-1 [after build:b-solo create-network:b_default] (new container)
create:b-twin-a-1 [after build:b-twin-a create-network:b_default] (new container)
create:b-twin-b-1 [after build:b-twin-a create-network:b_default] (new container)
`,
		},
		{
			name:    "builds that read each other's images are refused",
			yaml:    "name: b\nservices:\n  web: {build: ./web}\n  worker: {build: ./worker}\n",
			images:  map[string]string{},
			opts:    UpOptions{Build: fakeBuilds(map[string][]string{"web": {"worker"}, "worker": {"web"}})},
			wantErr: "these images are built from each other: b-web -> b-worker -> b-web",
		},
		{
			name:    "a build that cannot be prepared names its service",
			yaml:    "name: b\nservices:\n  broken: {build: .}\n",
			images:  map[string]string{},
			wantErr: "service broken: there is no Dockerfile",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			yaml := tt.yaml
			if yaml == "" {
				yaml = buildYAML
			}
			p, g := loadProject(t, yaml)
			o := observed(p)
			o.Images = tt.images
			if tt.opts.Build == nil {
				tt.opts.Build = fakeBuilds(needs)
			}
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
			if got := buildLines(plan.String()); got != tt.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

// buildLines keeps the lines a build changes: builds, pulls, creates.
func buildLines(plan string) string {
	var b strings.Builder
	for _, line := range strings.SplitAfter(plan, "\n") {
		if strings.HasPrefix(line, "build:") || strings.HasPrefix(line, "create:") || strings.HasPrefix(line, "pull:") {
			b.WriteString(line)
		}
	}
	return b.String()
}

func TestPlanBuild(t *testing.T) {
	needs := map[string][]string{"web": {"base"}, "worker": {"base"}}
	for _, tc := range []struct {
		name    string
		images  map[string]string
		opts    BuildOptions
		want    string
		wantErr string
	}{
		{name: "every service with a build section, in order", images: map[string]string{},
			want: "build:b-base (build)\nbuild:b-web [after build:b-base] (build)\nbuild:b-worker [after build:b-base] (build)\nbuild:shop/api:1 (build)\n"},
		{name: "a named service alone when the image it reads is there", images: map[string]string{"b-base": "1"},
			opts: BuildOptions{Services: []string{"web"}}, want: "build:b-web (build)\n"},
		{name: "a named service with the missing image it reads", images: map[string]string{},
			opts: BuildOptions{Services: []string{"web"}}, want: "build:b-base (needed by web)\nbuild:b-web [after build:b-base] (build)\n"},
		{name: "services that only pull build nothing", images: map[string]string{},
			opts: BuildOptions{Services: []string{"db"}}, want: ""},
		{name: "an unknown service is named", opts: BuildOptions{Services: []string{"nope"}}, wantErr: "no such service: nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, g := loadProject(t, buildYAML)
			o := observed(p)
			o.Images = tc.images
			tc.opts.Build = fakeBuilds(needs)
			plan, err := PlanBuild(p, g, o, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := plan.String(); got != tc.want {
				t.Errorf("plan:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
