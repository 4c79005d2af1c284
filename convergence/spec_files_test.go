package convergence

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/project"
)

// loadWithEnv loads compose.yaml (and the other name, content pairs) with
// environ as the process environment.
func loadWithEnv(t *testing.T, compose string, environ []string, files ...string) *types.Project {
	t.Helper()
	dir := t.TempDir()
	all := append([]string{"compose.yaml", compose}, files...)
	for i := 0; i+1 < len(all); i += 2 {
		if err := os.WriteFile(filepath.Join(dir, all[i]), []byte(all[i+1]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	p, err := project.Load(context.Background(), project.LoadOptions{ProjectDir: dir, Environ: append([]string{"PWD=" + dir}, environ...)})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSpecInjectedFiles(t *testing.T) {
	tests := []struct {
		name    string
		service string // the web service's configs and secrets
		environ []string
		want    []engine.File
	}{
		{
			name:    "content config at /<name>, interpolated, 0444 root",
			service: "configs: [app]",
			environ: []string{"PORT=8080"},
			want:    []engine.File{{Path: "/app", Content: []byte("port: 8080\n"), Mode: 0o444}},
		},
		{
			name:    "environment secret at /run/secrets/<name>",
			service: "secrets: [token]",
			environ: []string{"TOKEN=s3cret"},
			want:    []engine.File{{Path: "/run/secrets/token", Content: []byte("s3cret"), Mode: 0o444}},
		},
		{
			name:    "relative secret target goes under /run/secrets",
			service: "secrets: [{source: token, target: api/key}]",
			environ: []string{"TOKEN=s3cret"},
			want:    []engine.File{{Path: "/run/secrets/api/key", Content: []byte("s3cret"), Mode: 0o444}},
		},
		{
			name:    "relative config target goes under /",
			service: "configs: [{source: app, target: etc/app.yaml}]",
			environ: []string{"PORT=1"},
			want:    []engine.File{{Path: "/etc/app.yaml", Content: []byte("port: 1\n"), Mode: 0o444}},
		},
		{
			name:    "uid, gid and mode honoured",
			service: `configs: [{source: app, target: /etc/app.yaml, uid: "1000", gid: "50", mode: 0440}]`,
			environ: []string{"PORT=1"},
			want:    []engine.File{{Path: "/etc/app.yaml", Content: []byte("port: 1\n"), Mode: 0o440, UID: 1000, GID: 50, OwnerSet: true}},
		},
		{
			name:    "setuid mode",
			service: `secrets: [{source: token, mode: 04750}]`,
			environ: []string{"TOKEN=x"},
			want:    []engine.File{{Path: "/run/secrets/token", Content: []byte("x"), Mode: fs.ModeSetuid | 0o750}},
		},
		{
			name:    "file config is bind-mounted, not copied",
			service: "configs: [plain]",
		},
		{
			name:    "empty variable copies nothing, as in docker compose",
			service: "secrets: [token]",
			environ: []string{"TOKEN="},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadWithEnv(t, `
name: shop
services:
  web: {image: x, `+tt.service+`}
configs:
  app: {content: "port: ${PORT:-0}\n"}
  plain: {file: ./plain.txt}
secrets:
  token: {environment: TOKEN}
`, tt.environ, "plain.txt", "p")
			spec, _ := specOf(t, p, "web", SpecOptions{})
			assertEqual(t, "files", spec.Files, tt.want)
			if len(tt.want) == 0 {
				if _, ok := spec.Config.Labels[LabelFilesHash]; ok {
					t.Errorf("label %s set without files", LabelFilesHash)
				}
				return
			}
			assertEqual(t, "label "+LabelFilesHash, spec.Config.Labels[LabelFilesHash], FilesHash(tt.want))
			for _, m := range spec.Host.Mounts {
				if m.Target == tt.want[0].Path {
					t.Errorf("copied file %s is also mounted: %+v", m.Target, m)
				}
			}
		})
	}
}

func TestSpecInjectedFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		service string
		want    string
	}{
		{"unset variable", "secrets: [token]", "variable TOKEN, which is not set"},
		{"read_only service", "read_only: true, configs: [app]", "cannot be written into a read_only container"},
		{"uid not a number", `configs: [{source: app, uid: root}]`, `uid "root" is not a number`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := loadWithEnv(t, `
name: shop
services:
  web: {image: x, `+tt.service+`}
configs:
  app: {content: hello}
secrets:
  token: {environment: TOKEN}
`, nil)
			_, _, err := ContainerSpecFor(p, p.Services["web"], 1, SpecOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "service web") {
				t.Fatalf("error = %v, want it to name service web and contain %q", err, tt.want)
			}
		})
	}
}

func TestFilesHash(t *testing.T) {
	base := engine.File{Path: "/app", Content: []byte("a"), Mode: 0o444}
	tests := []struct {
		name   string
		change func(*engine.File)
	}{
		{"content", func(f *engine.File) { f.Content = []byte("b") }},
		{"path", func(f *engine.File) { f.Path = "/other" }},
		{"mode", func(f *engine.File) { f.Mode = 0o400 }},
		{"uid", func(f *engine.File) { f.UID = 1 }},
		{"gid", func(f *engine.File) { f.GID = 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := base
			tt.change(&changed)
			if FilesHash([]engine.File{base}) == FilesHash([]engine.File{changed}) {
				t.Errorf("a change of %s leaves the hash as it was", tt.name)
			}
		})
	}
	if FilesHash(nil) != "" {
		t.Errorf("FilesHash(nil) = %q, want empty", FilesHash(nil))
	}
}
