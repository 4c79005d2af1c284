package cmd

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
	"github.com/berth-compose/berth/engine/enginetest"
)

func TestSplitImageRef(t *testing.T) {
	tests := []struct{ ref, repo, tag string }{
		{"busybox", "busybox", "latest"},
		{"busybox:1.36", "busybox", "1.36"},
		{"docker.io/library/busybox:1.36", "busybox", "1.36"},
		{"team/app", "team/app", "latest"},
		{"ghcr.io/team/app:v2", "ghcr.io/team/app", "v2"},
		{"localhost:5000/app", "localhost:5000/app", "latest"},
		{"busybox@sha256:" + strings.Repeat("a", 64), "busybox", ""},
		{"sha256:" + strings.Repeat("b", 64), "", ""},
		{strings.Repeat("c", 64), "", ""},
	}
	for _, tt := range tests {
		if repo, tag := splitImageRef(tt.ref); repo != tt.repo || tag != tt.tag {
			t.Errorf("splitImageRef(%q) = %q, %q; want %q, %q", tt.ref, repo, tag, tt.repo, tt.tag)
		}
	}
}

func TestPrintImagesTable(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	rows := []imageRow{
		{Container: "shop-db-1", Repository: "postgres", Tag: "16", Image: engine.Image{ID: "sha256:0123456789abcdef0123", Size: 1985573,
			Created: now.Add(-3 * 24 * time.Hour), OS: "linux", Architecture: "arm64", Variant: "v8"}},
		{Container: "shop-web-1", Image: engine.Image{ID: "sha256:fedcba9876543210", Size: 512}},
	}
	var out bytes.Buffer
	if err := printImagesTable(&out, rows, now); err != nil {
		t.Fatal(err)
	}
	want := "" +
		"CONTAINER           REPOSITORY          TAG                 PLATFORM            IMAGE ID            SIZE                CREATED\n" +
		"shop-db-1           postgres            16                  linux/arm64/v8      0123456789ab        1.99MB              3 days ago\n" +
		"shop-web-1          <none>              <none>              unknown             fedcba987654        512B                N/A\n"
	if out.String() != want {
		t.Errorf("table:\n%s\nwant:\n%s", out.String(), want)
	}
}

// imagesProject is runYAML up over an engine whose busybox has details.
func imagesProject(t *testing.T) (*enginetest.Fake, string, string) {
	t.Helper()
	id := "sha256:" + strings.Repeat("4d", 32)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	fake := enginetest.New().WithImageDetails("busybox", engine.Image{ID: id, Size: 1985573, Created: created, OS: "linux", Architecture: "amd64"})
	dir := projectIn(t, runYAML)
	mustRun(t, fake, dir, nil, "up", "-d")
	mustRun(t, fake, dir, nil, "stop", "worker")
	return fake, dir, id
}

func TestImagesRun(t *testing.T) {
	fake, dir, id := imagesProject(t)
	row := func(container string) string {
		return `{"ID":"` + id + `","ContainerName":"` + container + `","Repository":"busybox","Tag":"latest",` +
			`"Platform":"linux/amd64","Size":1985573,"Created":"2026-01-02T03:04:05Z"}`
	}
	written := len(writes(fake))
	tests := []struct {
		args     []string
		wantCode int
		want     string // stdout, exactly
		wantErr  string
	}{
		{args: []string{"images", "-q"}, want: strings.TrimPrefix(id, "sha256:") + "\n"},
		{args: []string{"images", "--format", "json", "db", "worker"}, want: "[" + row("run-db-1") + "," + row("run-worker-1") + "]\n"},
		{args: []string{"images", "--format", "json", "web"}, want: "[" + row("run-web-1") + "]\n"},
		{args: []string{"images", "nosuch"}, wantCode: 1, wantErr: "no such service: nosuch"},
		{args: []string{"images", "--format", "yaml"}, wantCode: 1, wantErr: `invalid --format "yaml": use table or json`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, out, errOut := berthRun(t, fake, dir, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.wantCode, errOut)
			}
			if out != tt.want {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, tt.want)
			}
			if !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tt.wantErr)
			}
		})
	}
	if w := writes(fake)[written:]; len(w) > 0 {
		t.Errorf("images changed the engine: %v", w)
	}
	// Three containers of one image: inspected once.
	if calls := fake.Calls("InspectImage"); len(calls) != len(tests)-2 {
		t.Errorf("InspectImage calls %v, want one per listing", calls)
	}
}

func TestImagesTableRun(t *testing.T) {
	fake, dir, _ := imagesProject(t)
	out := mustRun(t, fake, dir, nil, "images")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "CONTAINER ") {
		t.Fatalf("table:\n%s", out)
	}
	for i, name := range []string{"run-db-1", "run-web-1", "run-worker-1"} {
		if f := strings.Fields(lines[i+1]); len(f) < 6 || f[0] != name || f[1] != "busybox" || f[2] != "latest" ||
			f[3] != "linux/amd64" || f[4] != strings.Repeat("4d", 6) || f[5] != "1.99MB" {
			t.Errorf("row %d: %q", i+1, lines[i+1])
		}
	}
}
