package watch

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

func testProject(dir string, services ...types.ServiceConfig) *types.Project {
	p := &types.Project{Name: "demo", WorkingDir: dir, Services: types.Services{}}
	for _, s := range services {
		p.Services[s.Name] = s
	}
	return p
}

func TestRulesErrors(t *testing.T) {
	dir := t.TempDir()
	build := &types.BuildConfig{Context: dir}
	tests := []struct {
		name    string
		service types.ServiceConfig
		want    string
	}{
		{"relative target", types.ServiceConfig{Name: "web", Develop: &types.DevelopConfig{Watch: []types.Trigger{{Path: dir, Action: "sync", Target: "app"}}}}, `target "app" of action sync must be an absolute path`},
		{"missing target", types.ServiceConfig{Name: "web", Develop: &types.DevelopConfig{Watch: []types.Trigger{{Path: dir, Action: "sync+restart"}}}}, `target "" of action sync+restart`},
		{"rebuild without build", imageService("web", "busybox", &types.DevelopConfig{Watch: []types.Trigger{{Path: dir, Action: "rebuild"}}}), "service web, develop.watch[0]: action rebuild needs a build: section"},
		{"missing path", buildService("web", build, &types.DevelopConfig{Watch: []types.Trigger{{Path: filepath.Join(dir, "nope"), Action: "rebuild"}}}), "nope cannot be watched"},
		{"unknown action", types.ServiceConfig{Name: "web", Develop: &types.DevelopConfig{Watch: []types.Trigger{{Path: dir, Action: "copy"}}}}, `unknown action "copy"`},
		{"sync+exec without command", types.ServiceConfig{Name: "web", Develop: &types.DevelopConfig{Watch: []types.Trigger{{Path: dir, Action: "sync+exec", Target: "/app"}}}}, "needs exec.command"},
		{"no rules at all", types.ServiceConfig{Name: "web"}, "none of the selected services has develop.watch rules"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Rules(testProject(dir, tt.service), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Rules error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestRulesUnknownService(t *testing.T) {
	_, err := Rules(testProject(t.TempDir()), []string{"nosuch"})
	if err == nil || !strings.Contains(err.Error(), `"nosuch"`) {
		t.Errorf("error = %v, want it to name the service", err)
	}
}

func TestRuleCovers(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), []byte("src/secret.txt\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	svc := buildService("web", &types.BuildConfig{Context: dir}, &types.DevelopConfig{Watch: []types.Trigger{
		{Path: src, Action: "sync", Target: "/app", Ignore: []string{"*.tmp", "cache/"}},
	}})
	rules, err := Rules(testProject(dir, svc), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := rules[0]
	tests := []struct {
		path string
		want bool
	}{
		{filepath.Join(src, "main.go"), true},
		{filepath.Join(src, "pkg", "a.go"), true},
		{src, true},
		{filepath.Join(src, "x.tmp"), false},
		{filepath.Join(src, "cache", "blob"), false},
		{filepath.Join(src, "secret.txt"), false},
		{filepath.Join(src, "main.go~"), false},
		{filepath.Join(src, ".git", "HEAD"), false},
		{filepath.Join(dir, "other.go"), false},
		{dir + "rc", false},
	}
	for _, tt := range tests {
		if got := r.Covers(tt.path); got != tt.want {
			t.Errorf("Covers(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
	if got, want := r.ContainerPath(filepath.Join(src, "pkg", "a.go")), "/app/pkg/a.go"; got != want {
		t.Errorf("ContainerPath = %s, want %s", got, want)
	}
}

func TestRuleIncludeOnly(t *testing.T) {
	dir := t.TempDir()
	svc := types.ServiceConfig{Name: "web", Develop: &types.DevelopConfig{Watch: []types.Trigger{
		{Path: dir, Action: "sync", Target: "/app", Include: []string{"*.html"}},
	}}}
	rules, err := Rules(testProject(dir, svc), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rules[0].Covers(filepath.Join(dir, "index.html")) || rules[0].Covers(filepath.Join(dir, "app.js")) {
		t.Error("include *.html should take index.html and leave app.js out")
	}
}

func imageService(name, image string, d *types.DevelopConfig) types.ServiceConfig {
	s := types.ServiceConfig{Name: name, Develop: d}
	s.Image = image
	return s
}

func buildService(name string, b *types.BuildConfig, d *types.DevelopConfig) types.ServiceConfig {
	s := types.ServiceConfig{Name: name, Develop: d}
	s.Build = b
	return s
}

func TestRuleSkipsDir(t *testing.T) {
	dir := t.TempDir()
	trig := func(ignore, include []string) types.Trigger {
		return types.Trigger{Path: dir, Action: "sync", Target: "/app", Ignore: ignore, Include: include}
	}
	tests := []struct {
		name    string
		trigger types.Trigger
		sub     string
		want    bool
	}{
		{"ignored folder", trig([]string{"node_modules"}, nil), "node_modules", true},
		{"other folder", trig([]string{"node_modules"}, nil), "src", false},
		{"the root itself", trig([]string{"*"}, nil), "", false},
		{"git", trig(nil, nil), ".git", true},
		{"an exclusion may bring a child back", trig([]string{"node_modules", "!node_modules/keep"}, nil), "node_modules", false},
		{"include patterns match files below any folder", trig(nil, []string{"*.html"}), "pages", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rules, err := Rules(testProject(dir, types.ServiceConfig{Name: "web", Develop: &types.DevelopConfig{Watch: []types.Trigger{tt.trigger}}}), nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := rules[0].skipsDir(filepath.Join(dir, tt.sub)); got != tt.want {
				t.Errorf("skipsDir(%s) = %v, want %v", tt.sub, got, tt.want)
			}
		})
	}
}
