package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles creates files (path → content) under a new temp dir.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadProjectName(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		opts    LoadOptions
		want    string
		wantErr string
	}{
		{
			name:  "top-level name",
			files: map[string]string{"compose.yaml": "name: named\nservices: {a: {image: x}}\n"},
			want:  "named",
		},
		{
			name:  "flag beats file",
			files: map[string]string{"compose.yaml": "name: named\nservices: {a: {image: x}}\n"},
			opts:  LoadOptions{ProjectName: "flag"},
			want:  "flag",
		},
		{
			name:  "environment beats file",
			files: map[string]string{"compose.yaml": "name: named\nservices: {a: {image: x}}\n"},
			opts:  LoadOptions{Environ: []string{"COMPOSE_PROJECT_NAME=fromenv"}},
			want:  "fromenv",
		},
		{
			name:  "dotenv sets it too",
			files: map[string]string{"compose.yaml": "services: {a: {image: x}}\n", ".env": "COMPOSE_PROJECT_NAME=dotenv\n"},
			want:  "dotenv",
		},
		{
			name:    "invalid flag value",
			files:   map[string]string{"compose.yaml": "services: {a: {image: x}}\n"},
			opts:    LoadOptions{ProjectName: "Bad Name"},
			wantErr: `invalid project name "Bad Name"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, tt.files)
			tt.opts.ProjectDir = dir
			p, err := Load(context.Background(), tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != tt.want {
				t.Errorf("name = %q, want %q", p.Name, tt.want)
			}
		})
	}
}

func TestLoadDiscoversUpward(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"compose.yaml":          "name: up\nservices: {web: {image: x}}\n",
		"compose.override.yaml": "services: {web: {image: y}}\n",
		"deep/er/.keep":         "",
	})
	t.Chdir(filepath.Join(dir, "deep", "er"))
	p, err := Load(context.Background(), LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Services["web"].Image; got != "y" {
		t.Errorf("image = %q, want the override's %q", got, "y")
	}
	if len(p.ComposeFiles) != 2 {
		t.Errorf("compose files = %v, want the file and its override", p.ComposeFiles)
	}
}

func TestLoadNoComposeFile(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
	var nf *NoConfigFileError
	if !errors.As(err, &nf) {
		t.Fatalf("error = %v, want a NoConfigFileError", err)
	}
	for _, want := range []string{dir, "compose.yaml", "docker-compose.yml", "-f"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestLoadSelectedServicesKeepDependencies(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": `
name: sel
services:
  web: {image: x, depends_on: [db]}
  db: {image: x}
  other: {image: x}
  dbg: {image: x, profiles: [debug]}
`})
	p, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Services: []string{"web", "dbg"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.ServiceNames(), ",")
	if got != "db,dbg,web" {
		t.Errorf("services = %s, want db,dbg,web (named ones, their dependencies, and a named profiled one)", got)
	}
}

func TestLoadDependencyOnDisabledServiceSuggestsProfile(t *testing.T) {
	dir := writeFiles(t, map[string]string{"compose.yaml": `
name: dp
services:
  web: {image: x, depends_on: [dbg]}
  dbg: {image: y, profiles: [debug]}
`})
	_, err := Load(context.Background(), LoadOptions{ProjectDir: dir})
	var de *DependencyError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "enable it with --profile debug") {
		t.Fatalf("error = %v, want a DependencyError suggesting --profile debug", err)
	}
	if _, err := Load(context.Background(), LoadOptions{ProjectDir: dir, Profiles: []string{"debug"}}); err != nil {
		t.Errorf("with the profile enabled: %v", err)
	}
}

// COMPOSE_FILE is split on COMPOSE_PATH_SEPARATOR, else on the OS list
// separator, as compose-go does for docker compose.
func TestLoadComposeFileSeparator(t *testing.T) {
	files := map[string]string{
		"a.yaml": "name: sep\nservices: {web: {image: a}}\n",
		"b.yaml": "services: {web: {image: b}}\n",
	}
	tests := []struct {
		name    string
		env     []string
		want    string
		wantErr string
	}{
		{name: "default separator", env: []string{"COMPOSE_FILE=a.yaml:b.yaml"}, want: "b"},
		{name: "own separator", env: []string{"COMPOSE_FILE=a.yaml;b.yaml", "COMPOSE_PATH_SEPARATOR=;"}, want: "b"},
		{name: "own separator, default one in the value", env: []string{"COMPOSE_FILE=a.yaml:b.yaml", "COMPOSE_PATH_SEPARATOR=;"},
			wantErr: "a.yaml:b.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, files)
			t.Chdir(dir)
			p, err := Load(context.Background(), LoadOptions{Environ: tt.env})
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to name %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Services["web"].Image; got != tt.want {
				t.Errorf("image = %q, want %q (both files merged)", got, tt.want)
			}
		})
	}
}
