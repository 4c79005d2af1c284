package enginetest

import (
	"archive/tar"
	"bytes"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/berth-compose/berth/engine"
)

func archiveOf(t *testing.T, hdrs ...tar.Header) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range hdrs {
		body := strings.Repeat("x", int(h.Size))
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestFakeCopyToContainer(t *testing.T) {
	file := tar.Header{Typeflag: tar.TypeReg, Name: "etc/app.conf", Size: 2, Mode: 0o4440, Uid: 7, Gid: 8}
	dir := tar.Header{Typeflag: tar.TypeDir, Name: "etc/", Mode: 0o700}
	tests := []struct {
		name       string
		user       string
		dest       string
		copyUIDGID bool
		want       engine.File
	}{
		{"archive's owner and mode", "", "/", false,
			engine.File{Path: "/etc/app.conf", Content: []byte("xx"), Mode: fs.ModeSetuid | 0o440, UID: 7, GID: 8}},
		{"under the destination", "", "/srv", false,
			engine.File{Path: "/srv/etc/app.conf", Content: []byte("xx"), Mode: fs.ModeSetuid | 0o440, UID: 7, GID: 8}},
		{"copyUIDGID gives the container's user", "1000:50", "/", true,
			engine.File{Path: "/etc/app.conf", Content: []byte("xx"), Mode: fs.ModeSetuid | 0o440, UID: 1000, GID: 50}},
		{"copyUIDGID without a user keeps the archive's", "", "/", true,
			engine.File{Path: "/etc/app.conf", Content: []byte("xx"), Mode: fs.ModeSetuid | 0o440, UID: 7, GID: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withBusybox()
			s := spec("web")
			s.Config.User = tt.user
			id := create(t, f, s)
			err := f.CopyToContainer(ctx, id, engine.CopyOptions{DestDir: tt.dest, Archive: archiveOf(t, dir, file), CopyUIDGID: tt.copyUIDGID})
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Files("web"); !reflect.DeepEqual(got, []engine.File{tt.want}) {
				t.Errorf("files = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFakeCopyToContainerErrors(t *testing.T) {
	f := withBusybox()
	id := create(t, f, spec("web"))
	if err := f.CopyToContainer(ctx, "nope", engine.CopyOptions{DestDir: "/", Archive: archiveOf(t)}); !engine.IsNotFound(err) {
		t.Errorf("copy into a missing container: %v, want not found", err)
	}
	if err := f.CopyToContainer(ctx, id, engine.CopyOptions{DestDir: "/", Archive: strings.NewReader("not a tar archive, clearly")}); err == nil {
		t.Error("a broken archive was accepted")
	}
	if got := f.Files("web"); len(got) != 0 {
		t.Errorf("files after failed copies = %+v", got)
	}
}
