package convergence

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
	"github.com/berth-compose/berth/project"
)

const filesYAML = `
name: shop
services:
  web:
    image: web:1
    configs: [{source: app, target: /etc/app.yaml, uid: "1000", gid: "1000", mode: 0440}]
    secrets: [token]
configs:
  app: {content: "greeting: ${GREETING}\n"}
secrets:
  token: {environment: TOKEN}
`

func filesProject(t *testing.T, greeting, token string) *types.Project {
	t.Helper()
	return loadWithEnv(t, filesYAML, []string{"GREETING=" + greeting, "TOKEN=" + token})
}

func TestApplyInjectsFilesBeforeStart(t *testing.T) {
	p := filesProject(t, "hello", "s3cret")
	f := fakeWithImages()
	var atStart []engine.File
	f.OnCall(func(_ context.Context, c enginetest.Call) error {
		if c.Method == "StartContainer" {
			atStart = f.Files(c.Target)
		}
		return nil
	})
	if err := applyUp(t, f, p, UpOptions{}); err != nil {
		t.Fatal(err)
	}
	want := []engine.File{
		{Path: "/etc/app.yaml", Content: []byte("greeting: hello\n"), Mode: 0o440, UID: 1000, GID: 1000},
		{Path: "/run/secrets/token", Content: []byte("s3cret"), Mode: 0o444},
	}
	assertEqual(t, "files when the container started", atStart, want)
	assertEqual(t, "files after up", f.Files("shop-web-1"), want)
}

func TestApplyRecreatesOnChangedFiles(t *testing.T) {
	tests := []struct {
		name            string
		greeting, token string
		recreated       bool
	}{
		{"unchanged", "hello", "s3cret", false},
		{"config content", "bonjour", "s3cret", true},
		{"secret variable", "hello", "rotated", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeWithImages()
			if err := applyUp(t, f, filesProject(t, "hello", "s3cret"), UpOptions{}); err != nil {
				t.Fatal(err)
			}
			before, _ := f.Container("shop-web-1")
			p := filesProject(t, tt.greeting, tt.token)
			if err := applyUp(t, f, p, UpOptions{}); err != nil {
				t.Fatal(err)
			}
			after, _ := f.Container("shop-web-1")
			if got := after.ID != before.ID; got != tt.recreated {
				t.Fatalf("recreated = %v, want %v", got, tt.recreated)
			}
			files := f.Files("shop-web-1")
			if len(files) != 2 || string(files[0].Content) != "greeting: "+tt.greeting+"\n" || string(files[1].Content) != tt.token {
				t.Errorf("files after the second up = %+v", files)
			}
		})
	}
}

func TestApplyRemovesContainerWhenCopyFails(t *testing.T) {
	f := fakeWithImages().Fail("CopyToContainer", errors.New("no space left"))
	err := applyUp(t, f, filesProject(t, "hello", "s3cret"), UpOptions{})
	if err == nil || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("error = %v, want the copy failure", err)
	}
	if _, ok := f.Container("shop-web-1"); ok {
		t.Error("the container without its files was kept: the next up would take it as up to date")
	}
}

func TestPlanUpFilesChanged(t *testing.T) {
	p := filesProject(t, "hello", "s3cret")
	files, err := InjectedFiles(p, p.Services["web"])
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		labels map[string]string // added to an up-to-date container's
		want   string
	}{
		{"same files", map[string]string{LabelFilesHash: FilesHash(files), LabelConfigSections: "other=1a2b3c4d"}, ""},
		{"other files", map[string]string{LabelFilesHash: "old", LabelConfigSections: "other=1a2b3c4d"}, "content of configs or secrets changed"},
		{"made by berth without files", map[string]string{LabelConfigSections: "other=1a2b3c4d"}, "content of configs or secrets changed"},
		{"made by an older berth without files", map[string]string{LabelSectionHashPrefix + SectionOther: "x"}, "content of configs or secrets changed"},
		{"made by docker compose: cannot tell, left alone", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := running(t, p, "web", 1)
			for k, v := range tt.labels {
				c.Labels[k] = v
			}
			g, err := project.NewGraph(p)
			if err != nil {
				t.Fatal(err)
			}
			plan, err := PlanUp(p, g, withDefaultNetwork(observed(p, c)), UpOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if got := createReason(plan, "create:shop-web-1"); got != tt.want {
				t.Errorf("create reason = %q, want %q\nplan:\n%s", got, tt.want, plan)
			}
		})
	}
}

// createReason is the reason of the action id, "" when the plan lacks it.
func createReason(plan *Plan, id ActionID) string {
	for _, a := range plan.Actions {
		if a.ID == id {
			return a.Reason
		}
	}
	return ""
}
