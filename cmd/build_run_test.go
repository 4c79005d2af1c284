package cmd

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

const buildYAML = `
name: shop
services:
  base:
    build: ./base
  web:
    build:
      context: ./web
      args: [FROM_FLAG]
  db:
    image: busybox
`

// buildProject writes buildYAML with its Dockerfiles: web's starts FROM
// base's image.
func buildProject(t *testing.T) string {
	t.Helper()
	dir := projectIn(t, buildYAML)
	for path, content := range map[string]string{
		"base/Dockerfile": "FROM busybox\nRUN true\n",
		"web/Dockerfile":  "FROM shop-base\nCOPY . /app\n",
	} {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func builtTags(fake *enginetest.Fake) []string {
	var out []string
	for _, r := range fake.Builds() {
		out = append(out, r.Tags[0])
	}
	return out
}

// TestBuildCommand: build makes every service's image with a build
// section, the image another's Dockerfile reads first, with the flags'
// arguments and options in each request.
func TestBuildCommand(t *testing.T) {
	fake := busyboxFake()
	dir := buildProject(t)
	mustRun(t, fake, dir, nil, "--progress", "plain", "build", "--no-cache", "--pull", "--build-arg", "FROM_FLAG=1", "-m", "64m")
	if got := builtTags(fake); !slices.Equal(got, []string{"shop-base", "shop-web"}) {
		t.Fatalf("built %q, want base before web", got)
	}
	web := fake.Builds()[1]
	if !web.NoCache || !web.Pull || web.Memory != 64<<20 || web.Args["FROM_FLAG"] == nil || *web.Args["FROM_FLAG"] != "1" {
		t.Errorf("web's request = %+v", web)
	}
	if id, err := fake.ImageID(t.Context(), "shop-web"); err != nil || id == "" {
		t.Errorf("shop-web is not on the engine: %v", err)
	}
	if len(fake.Containers()) != 0 {
		t.Errorf("build created containers: %v", fake.Containers())
	}
}

// TestBuildNamedServices: a named service builds alone when the image it
// reads is there; an unknown one is named in the error.
func TestBuildNamedServices(t *testing.T) {
	fake := busyboxFake().WithImage("shop-base", "sha256:base")
	dir := buildProject(t)
	mustRun(t, fake, dir, nil, "build", "web")
	if got := builtTags(fake); !slices.Equal(got, []string{"shop-web"}) {
		t.Errorf("built %q, want web alone", got)
	}
	code, _, errOut := berthRun(t, fake, dir, nil, "build", "nope")
	if code == 0 || !strings.Contains(errOut, "nope") {
		t.Errorf("build nope: exit %d, %s", code, errOut)
	}
}

func TestBuildRefusedFlags(t *testing.T) {
	dir := buildProject(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"build", "--builder", "mybuilder"}, `invalid --builder "mybuilder"`},
		{[]string{"build", "-m", "lots"}, `invalid --memory "lots"`},
		{[]string{"build", "--build-arg", "=x"}, `invalid --build-arg "=x"`},
		{[]string{"up", "--build", "--no-build"}, "--build and --no-build are incompatible"},
	} {
		code, _, errOut := berthRun(t, busyboxFake(), dir, nil, tc.args...)
		if code == 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestBuildPush: build --push sends what it built to the registry, for
// the services that name an image, as push does.
func TestBuildPush(t *testing.T) {
	dir := projectIn(t, `
name: shop
services:
  app: {image: reg.example/shop/app:1, build: ./app}
  local: {build: ./app}
`)
	if err := os.MkdirAll(filepath.Join(dir, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "app", "Dockerfile"), []byte("FROM busybox\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fake := busyboxFake()
	mustRun(t, fake, dir, nil, "build", "--push")
	if _, ok := fake.RegistryImage("reg.example/shop/app:1"); !ok {
		t.Error("build --push did not push reg.example/shop/app:1")
	}
	if _, ok := fake.RegistryImage("shop-local"); ok {
		t.Error("build --push pushed the image of a service that names none")
	}
}

// TestUpBuildsMissingImages: up builds what is missing and runs it;
// --build rebuilds and recreates the containers whose image changed
// (only those);
// --no-build with a missing image fails before changing anything.
func TestUpBuildsMissingImages(t *testing.T) {
	fake := busyboxFake()
	dir := buildProject(t)
	mustRun(t, fake, dir, nil, "up", "-d")
	if got := builtTags(fake); !slices.Equal(got, []string{"shop-base", "shop-web"}) {
		t.Fatalf("up built %q", got)
	}
	webID, _ := fake.ImageID(t.Context(), "shop-web")
	if labels := imageLabels(fake); labels["shop-web-1"] != webID || len(fake.Containers()) != 3 {
		t.Fatalf("containers %v, labels %v; want web running the built %s", fake.Containers(), labels, webID)
	}
	mustRun(t, fake, dir, nil, "up", "-d")
	if n := len(fake.Builds()); n != 2 {
		t.Errorf("a second up built again: %d builds", n)
	}
	before := fake.Containers()

	// A changed argument makes a new web image; base's build is cached
	// and gives the image it gave before.
	mustRun(t, fake, dir, []string{"FROM_FLAG=2"}, "up", "-d", "--build")
	if n := len(fake.Builds()); n != 4 {
		t.Errorf("up --build made %d builds in all, want 4", n)
	}
	newWeb, _ := fake.ImageID(t.Context(), "shop-web")
	for _, c := range fake.Containers() {
		old := containerIn(before, c.Name)
		switch {
		case c.Name == "shop-db-1" && old.ID != c.ID:
			t.Error("db was recreated: its image did not change")
		case c.Name == "shop-web-1" && (old.ID == c.ID || c.Labels["com.docker.compose.image"] != newWeb):
			t.Errorf("web keeps %s, label %s; want a new container on %s", c.ID, c.Labels["com.docker.compose.image"], newWeb)
		}
		if c.State != engine.StateRunning {
			t.Errorf("%s is %s", c.Name, c.State)
		}
	}

	fresh := busyboxFake()
	code, _, errOut := berthRun(t, fresh, dir, nil, "up", "-d", "--no-build")
	if code == 0 || !strings.Contains(errOut, "--no-build forbids building it") || len(fresh.Containers()) != 0 {
		t.Errorf("up --no-build: exit %d, %s, containers %v", code, errOut, fresh.Containers())
	}
}

// TestBuildFailureNamesService: a failed build shows the service, the
// step and its output, and exits 1.
func TestBuildFailureNamesService(t *testing.T) {
	fake := busyboxFake().FailBuild("shop-base", &engine.BuildError{Step: "[2/2] RUN true", Message: "exit code: 1", Output: "no space\n"})
	dir := buildProject(t)
	code, _, errOut := berthRun(t, fake, dir, nil, "--progress", "plain", "build")
	for _, want := range []string{"service base failed to build", "[2/2] RUN true", "no space"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if got := builtTags(fake); !slices.Equal(got, []string{"shop-base"}) {
		t.Errorf("built %q: web reads base's image and must not build", got)
	}
}

func containerIn(list []engine.ContainerDetails, name string) engine.ContainerDetails {
	for _, c := range list {
		if c.Name == name {
			return c
		}
	}
	return engine.ContainerDetails{}
}
