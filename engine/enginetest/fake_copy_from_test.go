package enginetest

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/berth-compose/berth/engine"
)

// withTree is a fake with one container "web" into which a tree was
// copied under /srv:
//
//	/srv/d/        0750
//	/srv/d/empty/
//	/srv/d/link -> x
//	/srv/d/x       "xx", 0640
//	/srv/dl -> /srv/d
func withTree(t *testing.T) *Fake {
	t.Helper()
	f := withBusybox()
	id := create(t, f, spec("web"))
	hdrs := []tar.Header{
		{Typeflag: tar.TypeDir, Name: "d/", Mode: 0o750},
		{Typeflag: tar.TypeDir, Name: "d/empty/", Mode: 0o755},
		{Typeflag: tar.TypeSymlink, Name: "d/link", Linkname: "x", Mode: 0o777},
		{Typeflag: tar.TypeReg, Name: "d/x", Size: 2, Mode: 0o640},
		{Typeflag: tar.TypeSymlink, Name: "dl", Linkname: "/srv/d", Mode: 0o777},
	}
	if err := f.CopyToContainer(ctx, id, engine.CopyOptions{DestDir: "/srv", Archive: archiveOf(t, hdrs...)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFakeStatContainerPath(t *testing.T) {
	f := withTree(t)
	tests := []struct {
		path string
		want engine.PathStat
	}{
		{"/srv/d", engine.PathStat{Name: "d", Mode: fs.ModeDir | 0o750}},
		{"/srv/d/x", engine.PathStat{Name: "x", Size: 2, Mode: 0o640}},
		{"/srv/d/link", engine.PathStat{Name: "link", Mode: fs.ModeSymlink | 0o777, LinkTarget: "/srv/d/x"}},
		{"/srv/dl", engine.PathStat{Name: "dl", Mode: fs.ModeSymlink | 0o777, LinkTarget: "/srv/d"}},
		{"/srv/dl/x", engine.PathStat{Name: "x", Size: 2, Mode: 0o640}},
		{"/srv", engine.PathStat{Name: "srv", Mode: fs.ModeDir | 0o755}},
		{"/", engine.PathStat{Name: "/", Mode: fs.ModeDir | 0o755}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := f.StatContainerPath(ctx, "web", tt.path)
			got.Mtime = time.Time{} // the archive's, not the point here
			if err != nil || got != tt.want {
				t.Errorf("StatContainerPath = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	for _, p := range []string{"/nope", "/srv/d/x/y", "/srv/d/nope"} {
		if _, err := f.StatContainerPath(ctx, "web", p); !engine.IsNotFound(err) {
			t.Errorf("StatContainerPath(%s) = %v, want not found", p, err)
		}
	}
	if _, err := f.StatContainerPath(ctx, "nope", "/"); !engine.IsNotFound(err) {
		t.Errorf("StatContainerPath in a missing container = %v, want not found", err)
	}
}

func TestFakeCopyFromContainer(t *testing.T) {
	f := withTree(t)
	whole := []string{"NAME/ 750", "NAME/empty/ 755", "NAME/link 777 -> x", "NAME/x 640 xx"}
	tests := []struct {
		path, name string
		want       []string
	}{
		{"/srv/d", "d", whole},
		{"/srv/d/", "d", whole},
		{"/srv/d/.", ".", []string{"./ 750", "empty/ 755", "link 777 -> x", "x 640 xx"}},
		{"/srv/d/x", "x", []string{"x 640 xx"}},
		{"/srv/d/link", "link", []string{"link 777 -> x"}},
		{"/srv/dl", "dl", []string{"dl 777 -> /srv/d"}},
		{"/srv/dl/", "dl", whole},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rc, st, err := f.CopyFromContainer(ctx, "web", tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got := fakeEntries(t, rc)
			var want []string
			for _, w := range tt.want {
				want = append(want, strings.ReplaceAll(w, "NAME", tt.name))
			}
			if !slices.Equal(got, want) {
				t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if st.Name != strings.TrimSuffix(tt.name, "/") && tt.name != "." {
				t.Errorf("stat name = %q, want %q", st.Name, tt.name)
			}
		})
	}
	for _, p := range []string{"/nope", "/srv/d/link/", "/srv/d/x/."} {
		if _, _, err := f.CopyFromContainer(ctx, "web", p); !engine.IsNotFound(err) {
			t.Errorf("CopyFromContainer(%s) = %v, want not found", p, err)
		}
	}
}

// TestFakeCopyRoundTrip: what CopyFromContainer gives, CopyToContainer
// takes back, hard links included.
func TestFakeCopyRoundTrip(t *testing.T) {
	f := withTree(t)
	rc, _, err := f.CopyFromContainer(ctx, "web", "/srv/d")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CopyToContainer(ctx, "web", engine.CopyOptions{DestDir: "/copy", Archive: rc}); err != nil {
		t.Fatal(err)
	}
	link := archiveOf(t, tar.Header{Typeflag: tar.TypeReg, Name: "a", Size: 1, Mode: 0o600},
		tar.Header{Typeflag: tar.TypeLink, Name: "b", Linkname: "a", Mode: 0o600})
	if err := f.CopyToContainer(ctx, "web", engine.CopyOptions{DestDir: "/copy", Archive: link}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, file := range f.Files("web") {
		got = append(got, fmt.Sprintf("%s %s", file.Path, file.Content))
	}
	want := []string{"/copy/a x", "/copy/b x", "/copy/d/x xx", "/srv/d/x xx"}
	if !slices.Equal(got, want) {
		t.Errorf("files = %v, want %v", got, want)
	}
	st, err := f.StatContainerPath(ctx, "web", "/copy/d/link")
	if err != nil || st.LinkTarget != "/copy/d/x" {
		t.Errorf("copied symlink: %+v, %v", st, err)
	}
}

func fakeEntries(t *testing.T, r io.Reader) []string {
	t.Helper()
	var out []string
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		line := fmt.Sprintf("%s %o", hdr.Name, hdr.Mode)
		if hdr.Linkname != "" {
			line += " -> " + hdr.Linkname
		}
		if hdr.Typeflag == tar.TypeReg {
			body, _ := io.ReadAll(tr)
			line += " " + string(body)
		}
		out = append(out, line)
	}
}
