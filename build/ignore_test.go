package build

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestIgnoreFileChoice(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "Dockerfile"), "FROM busybox\n")
	write(t, filepath.Join(dir, "other", "web.Dockerfile"), "FROM busybox\n")
	if got, _ := IgnoreFile(dir, filepath.Join(dir, "Dockerfile")); got != "" {
		t.Errorf("with no ignore file: %q", got)
	}
	write(t, filepath.Join(dir, ".dockerignore"), "*.log\n")
	if got, _ := IgnoreFile(dir, filepath.Join(dir, "other", "web.Dockerfile")); got != filepath.Join(dir, ".dockerignore") {
		t.Errorf("context's own: %q", got)
	}
	write(t, filepath.Join(dir, "other", "web.Dockerfile.dockerignore"), "secret\n")
	if got, _ := IgnoreFile(dir, filepath.Join(dir, "other", "web.Dockerfile")); got != filepath.Join(dir, "other", "web.Dockerfile.dockerignore") {
		t.Errorf("the Dockerfile's own ignore file should win: %q", got)
	}
	if got, _ := IgnoreFile(dir, ""); got != filepath.Join(dir, ".dockerignore") {
		t.Errorf("inline Dockerfile: %q", got)
	}
}

func TestExcluded(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".dockerignore"), "# comment\nsecret.txt\n/logs\n*.tmp\n!keep.tmp\nnode_modules/\n")
	patterns, err := Excludes(filepath.Join(dir, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"secret.txt", true},
		{"sub/secret.txt", false},
		{"logs/today.log", true},
		{"a.tmp", true},
		{"keep.tmp", false},
		{"node_modules/x/index.js", true},
		{"main.go", false},
		{"Dockerfile", false},
	} {
		got, err := Excluded(patterns, tc.path)
		if err != nil || got != tc.want {
			t.Errorf("Excluded(%s) = %v, %v; want %v", tc.path, got, err, tc.want)
		}
	}
}

func TestExcludesRejectsBadPattern(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, ".dockerignore"), "[\n")
	if _, err := Excludes(filepath.Join(dir, ".dockerignore")); err == nil {
		t.Error("a broken pattern was accepted")
	}
}
