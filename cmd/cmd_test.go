package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const shopYAML = `
name: shop
services:
  web: {image: web:1, depends_on: [api], profiles: [front]}
  api: {image: api:1, depends_on: [db]}
  db: {image: "db:${DB_TAG:-16}", volumes: [data:/data]}
volumes:
  data:
`

func TestExecute(t *testing.T) {
	dir := projectIn(t, shopYAML)
	tests := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "services in dependency order", args: []string{"config", "--services"}, wantOut: "db\napi\n"},
		{name: "profile flag", args: []string{"--profile", "front", "config", "--services"}, wantOut: "db\napi\nweb\n"},
		{name: "profile from COMPOSE_PROFILES", args: []string{"config", "--services"}, env: []string{"COMPOSE_PROFILES=front"}, wantOut: "db\napi\nweb\n"},
		{name: "interpolation from the environment", args: []string{"config", "--images", "db"}, env: []string{"DB_TAG=17"}, wantOut: "db:17\n"},
		{name: "volumes", args: []string{"config", "--volumes"}, wantOut: "data\n"},
		{name: "services ignore SERVICE arguments", args: []string{"config", "--services", "db"}, wantOut: "db\napi\n"},
		{name: "images follow SERVICE arguments", args: []string{"config", "--images", "api"}, wantOut: "api:1\ndb:16\n"},
		{name: "profiles", args: []string{"config", "--profiles"}, wantOut: "front\n"},
		{name: "quiet", args: []string{"config", "-q"}, wantOut: ""},
		{name: "bad format", args: []string{"config", "--format", "xml"}, wantCode: 1, wantErr: `unsupported format "xml"`},
		{name: "unknown command", args: []string{"confg"}, wantCode: 1, wantErr: "Did you mean this?\n\tconfig"},
		{name: "unknown flag", args: []string{"config", "--servics"}, wantCode: 1, wantErr: "unknown flag: --servics"},
		{name: "bad progress", args: []string{"--progress", "fancy", "config"}, wantCode: 1, wantErr: `invalid --progress "fancy"`},
		{name: "bad parallel", args: []string{"--parallel", "0", "config"}, wantCode: 1, wantErr: "invalid --parallel 0"},
		{name: "unlimited parallel", args: []string{"--parallel", "-1", "config", "--services"}, wantOut: "db\napi\n"},
		{name: "empty value of a short global flag", args: []string{"-p", "", "config", "--services"}, wantOut: "db\napi\n"},
		{name: "global flags joined or not", args: []string{"--parallel=2", "-p", "other", "--dry-run", "config", "--services"}, wantOut: "db\napi\n"},
		{name: "graph", args: []string{"graph", "api"}, wantOut: "db\napi\n  -> db (service_started)\n"},
		{name: "graph unknown format", args: []string{"graph", "--format", "svg"}, wantCode: 1, wantErr: `unknown graph format "svg"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			deps, out, errOut := testDeps(tt.env...)
			args := append([]string{"--project-directory", dir}, tt.args...)
			code := Execute(context.Background(), deps, args)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if tt.wantCode == 0 && out.String() != tt.wantOut {
				t.Errorf("stdout = %q, want %q", out, tt.wantOut)
			}
			if tt.wantCode != 0 && out.Len() != 0 {
				t.Errorf("stdout not empty on failure: %q", out)
			}
			if tt.wantCode == 0 && errOut.Len() != 0 {
				t.Errorf("stderr on success: %q", errOut)
			}
			if tt.wantCode != 0 && (tt.wantErr == "" || errOut.Len() == 0) {
				t.Errorf("a failure must say why (want %q, stderr %q)", tt.wantErr, errOut)
			}
			if !strings.Contains(errOut.String(), tt.wantErr) {
				t.Errorf("stderr = %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
}

func TestConfigOutputFile(t *testing.T) {
	dir := projectIn(t, shopYAML)
	target := filepath.Join(t.TempDir(), "resolved.yaml")
	deps, out, errOut := testDeps()
	if code := Execute(context.Background(), deps, []string{"--project-directory", dir, "config", "-o", target}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if out.Len() != 0 {
		t.Errorf("stdout = %q, want nothing with -o", out)
	}
	data, err := os.ReadFile(target)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "name: shop\n") || !strings.Contains(string(data), "image: db:16") {
		t.Errorf("file content:\n%s", data)
	}
}

func TestCanceledContextExits130(t *testing.T) {
	dir := projectIn(t, shopYAML)
	deps, _, errOut := testDeps()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := Execute(ctx, deps, []string{"--project-directory", dir, "config"}); code != 130 {
		t.Errorf("exit code = %d, want 130; stderr: %s", code, errOut)
	}
}

func TestCompleteServices(t *testing.T) {
	dir := projectIn(t, shopYAML)
	deps, out, _ := testDeps()
	code := Execute(context.Background(), deps, []string{"__complete", "--project-directory", dir, "config", "a"})
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.HasPrefix(out.String(), "api\n") {
		t.Errorf("completion = %q, want api first", out)
	}
}
