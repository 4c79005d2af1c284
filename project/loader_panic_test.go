package project

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadSurvivesLoaderPanic: a secret whose target is written with no
// value makes compose-go panic (found by FuzzLoad); Load returns an error
// naming the file instead of crashing.
func TestLoadSurvivesLoaderPanic(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "compose.yaml")
	yaml := "services:\n  p:\n    image: busybox\n    secrets:\n      - source: y\n        target:\nsecrets:\n  y:\n    file: ./x\n"
	if err := os.WriteFile(file, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(context.Background(), LoadOptions{ConfigPaths: []string{file}})
	var panicked *LoaderPanicError
	if !errors.As(err, &panicked) || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "no value") {
		t.Fatalf("Load = %v, want a LoaderPanicError naming %s", err, file)
	}
}
