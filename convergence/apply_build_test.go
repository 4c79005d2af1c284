package convergence

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/build"
	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/progress"
)

// requestBuilds is a BuildFunc giving each service a request tagged
// with its image; web reads base's image, api has a folder context.
func requestBuilds(p *types.Project) BuildFunc {
	return func(s types.ServiceConfig) (*build.Build, error) {
		ref := p.Name + "-" + s.Name
		if s.Image != "" {
			ref = s.Image
		}
		b := &build.Build{Service: s.Name, Image: ref, Request: engine.BuildRequest{ContextDir: "/src/" + s.Name, Tags: []string{ref}}}
		switch s.Name {
		case "web", "worker":
			b.Needs = []string{"base"}
		case "api":
			b.ContextImages = []engine.BuildRequest{{ContextDir: "/src/assets", Tags: []string{"berth-context-1:latest"}}}
		}
		return b, nil
	}
}

// TestApplyBuilds: missing images are built before their containers are
// created, which carry the built id; the context image a build made is
// gone afterwards; steps show under their image.
func TestApplyBuilds(t *testing.T) {
	p, _ := loadProject(t, buildYAML)
	f := enginetest.New().WithImage("db:1", "sha256:db")
	sink := &events{}
	plan := planWithImages(t, f, p, UpOptions{Build: requestBuilds(p)})
	if err := Apply(context.Background(), f, plan, sink, ApplyOptions{Project: p.Name}); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range f.Builds() {
		order = append(order, r.Tags[0])
	}
	if i, j := index(order, "b-base"), index(order, "b-web"); i < 0 || j < i {
		t.Errorf("build order %q: base must come before web, which reads its image", order)
	}
	webID, _ := f.ImageID(context.Background(), "b-web")
	web := containerNamed(t, f, "b-web-1")
	if webID == "" || web.Labels[LabelImage] != webID {
		t.Errorf("b-web-1 has image label %q, want the built %q", web.Labels[LabelImage], webID)
	}
	if _, err := f.ImageID(context.Background(), "berth-context-1:latest"); !engine.IsNotFound(err) {
		t.Errorf("the additional context's image is still there: %v", err)
	}
	lines := strings.Join(sink.lines(), "\n")
	for _, want := range []string{">Image b-web working Building", ">Image b-web done Built", "Image b-web>Step web [2/2] RUN true done Done"} {
		if !strings.Contains(lines, want) {
			t.Errorf("events lack %q:\n%s", want, lines)
		}
	}
}

// TestApplyBuildFailure: a failed build names its service and step and
// skips only what needs its image: the services built from it, and its
// own containers; the rest comes up.
func TestApplyBuildFailure(t *testing.T) {
	p, _ := loadProject(t, buildYAML)
	f := enginetest.New().WithImage("db:1", "sha256:db").
		FailBuild("b-base", &engine.BuildError{Step: "[2/2] RUN make", Message: "exit code: 2", Output: "make: no rule\n"})
	sink := &events{}
	err := Apply(context.Background(), f, planWithImages(t, f, p, UpOptions{Build: requestBuilds(p)}), sink, ApplyOptions{Project: p.Name})
	var be *engine.BuildError
	if !errors.As(err, &be) || !strings.Contains(err.Error(), "service base failed to build: step [2/2] RUN make: exit code: 2\n    make: no rule") {
		t.Fatalf("err = %v", err)
	}
	for _, gone := range []string{"b-base-1", "b-web-1", "b-worker-1"} {
		if c := findContainer(f, gone); c != nil {
			t.Errorf("%s was created though its image failed to build", gone)
		}
	}
	for _, up := range []string{"b-db-1", "b-api-1"} {
		if c := findContainer(f, up); c == nil || c.State != engine.StateRunning {
			t.Errorf("%s should run: it needs nothing the failed build makes", up)
		}
	}
	failed := false
	for _, ev := range sink.all {
		failed = failed || ev.Kind == progress.Step && ev.Status == progress.Error && strings.Contains(ev.Err.Error(), "make: no rule")
	}
	if !failed {
		t.Error("no step event carries the failed step's output")
	}
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func findContainer(f *enginetest.Fake, name string) *engine.Container {
	cs, _ := f.ListContainers(context.Background(), engine.Filter{})
	for _, c := range cs {
		if c.Name == name {
			return &c
		}
	}
	return nil
}
