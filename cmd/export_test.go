package cmd

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

// tarEntries lists an archive's entries as "name=content".
func tarEntries(t *testing.T, archive []byte) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("not a tar archive: %v", err)
		}
		body, _ := io.ReadAll(tr)
		out = append(out, hdr.Name+"="+string(body))
	}
}

// exportProject is runYAML up, web-1 holding /bin/busybox.
func exportProject(t *testing.T) (*enginetest.Fake, string) {
	t.Helper()
	fake, dir := runningProject(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: 3})
	_, _ = tw.Write([]byte("elf"))
	_ = tw.Close()
	if err := fake.CopyToContainer(t.Context(), "run-web-1", engine.CopyOptions{DestDir: "/", Archive: &buf}); err != nil {
		t.Fatal(err)
	}
	return fake, dir
}

func TestExportRun(t *testing.T) {
	fake, dir := exportProject(t)
	out := mustRun(t, fake, dir, nil, "export", "web")
	tarPart, _, _ := strings.Cut(out, " Container run-web-1") // stderr follows stdout in mustRun's result
	if got := tarEntries(t, []byte(tarPart)); len(got) != 1 || got[0] != "bin/busybox=elf" {
		t.Errorf("export to stdout: %v", got)
	}

	file := filepath.Join(t.TempDir(), "web.tar")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := berthRun(t, fake, dir, nil, "export", "-o", file, "web")
	if code != 0 || stdout != "" || !strings.Contains(stderr, "Container run-web-1  Exported") {
		t.Fatalf("export -o: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := tarEntries(t, data); len(got) != 1 || got[0] != "bin/busybox=elf" {
		t.Errorf("export -o wrote %v", got)
	}
	if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
		t.Errorf("files beside the archive: %v", entries)
	}
}

func TestExportErrors(t *testing.T) {
	fake, dir := exportProject(t)
	mustRun(t, fake, dir, nil, "stop", "worker")
	folder := t.TempDir()
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"export", "-o", filepath.Join(folder, "missing", "x.tar"), "web"}, "folder " + filepath.Join(folder, "missing") + " does not exist"},
		{[]string{"export", "-o", folder, "web"}, "it is a folder"},
		{[]string{"export", "-o", filepath.Join(folder, "w.tar"), "worker"}, `service "worker" has no running container`},
		{[]string{"export", "-o", filepath.Join(folder, "w.tar"), "nosuch"}, "no such service: nosuch"},
		{[]string{"export", "-o", filepath.Join(folder, "w.tar"), "--index", "-2", "web"}, "invalid --index -2"},
		{[]string{"export"}, "export needs one argument"},
		{[]string{"export", "web", "db"}, "export needs one argument"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if code != 1 || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errOut, tt.wantErr)
			}
		})
	}
	if entries, _ := os.ReadDir(folder); len(entries) != 0 {
		t.Errorf("failed exports left %v", entries)
	}
	if calls := fake.Calls("ExportContainer"); len(calls) != 0 {
		t.Errorf("failed exports reached the engine: %v", calls)
	}
}

// brokenExport is an engine whose exports break off after a few bytes,
// as when the engine goes away mid-stream.
type brokenExport struct{ *enginetest.Fake }

func (b brokenExport) ExportContainer(context.Context, string) (io.ReadCloser, error) {
	return io.NopCloser(io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errors.New("engine gone")))), nil
}

// TestExportFailureKeepsFile: an export that breaks off leaves the file
// it was to replace as it was, and no temporary file beside it.
func TestExportFailureKeepsFile(t *testing.T) {
	fake, dir := exportProject(t)
	file := filepath.Join(t.TempDir(), "web.tar")
	if err := os.WriteFile(file, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := berthRun(t, brokenExport{fake}, dir, nil, "export", "-o", file, "web")
	if code != 1 || !strings.Contains(errOut, "engine gone") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if data, _ := os.ReadFile(file); string(data) != "old" {
		t.Errorf("file after a failed export: %q", data)
	}
	if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
		t.Errorf("files beside the archive: %v", entries)
	}
}

func TestExportDryRun(t *testing.T) {
	fake, dir := exportProject(t)
	file := filepath.Join(t.TempDir(), "web.tar")
	code, _, errOut := berthRun(t, fake, dir, nil, "--dry-run", "export", "-o", file, "web")
	if code != 0 || !strings.Contains(errOut, "Exported") {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dry run wrote %s: %v", file, err)
	}
}
