package archive

import (
	"errors"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		path, dir, base string
		assertsDir      bool
	}{
		{"/a/b", "/a", "b", false},
		{"/a/b/", "/a", "b", true},
		{"/a/b/.", "/a/b", ".", true},
		{"a", ".", "a", false},
		{".", ".", ".", true},
		{"/", "/", ".", true},
		{"/a//b//", "/a", "b", true},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			dir, base := Container.Split(tt.path)
			if dir != tt.dir || base != tt.base {
				t.Errorf("Split(%q) = %q, %q; want %q, %q", tt.path, dir, base, tt.dir, tt.base)
			}
			if got := Container.AssertsDir(tt.path); got != tt.assertsDir {
				t.Errorf("AssertsDir(%q) = %v, want %v", tt.path, got, tt.assertsDir)
			}
		})
	}
}

// TestPlace: docker cp's table of what lands where, for each kind of
// source and destination.
func TestPlace(t *testing.T) {
	file, dir, contents := Src{Name: "f", IsDir: false}, Src{Name: "d", IsDir: true}, Src{Name: ".", IsDir: true}
	tests := []struct {
		name    string
		src     Src
		dst     Dst
		want    Placement
		wantErr error
	}{
		{"file into an existing dir", file, Dst{Path: "/srv/", Exists: true, IsDir: true}, Placement{"/srv", "f"}, nil},
		{"file onto an existing file", file, Dst{Path: "/srv/app.conf", Exists: true}, Placement{"/srv", "app.conf"}, nil},
		{"file to a new name", file, Dst{Path: "/srv/new"}, Placement{"/srv", "new"}, nil},
		{"file to a missing dir", file, Dst{Path: "/srv/new/"}, Placement{}, ErrNoSuchDir},
		{"file to a missing dir/.", file, Dst{Path: "/srv/new/."}, Placement{}, ErrNoSuchDir},
		{"dir into an existing dir", dir, Dst{Path: "/srv", Exists: true, IsDir: true}, Placement{"/srv", "d"}, nil},
		{"dir to a new name", dir, Dst{Path: "/srv/new"}, Placement{"/srv", "new"}, nil},
		{"dir to a new name/", dir, Dst{Path: "/srv/new/"}, Placement{"/srv", "new"}, nil},
		{"dir onto a file", dir, Dst{Path: "/srv/app.conf", Exists: true}, Placement{}, ErrDirOntoFile},
		{"dir/. into an existing dir", contents, Dst{Path: "/srv", Exists: true, IsDir: true}, Placement{"/srv", "."}, nil},
		{"dir/. to a new name", contents, Dst{Path: "/srv/new"}, Placement{"/srv", "new"}, nil},
		{"dir/. onto a file", contents, Dst{Path: "/srv/app.conf", Exists: true}, Placement{}, ErrDirOntoFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(tt.src, tt.dst, Container)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("Place = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestDirMark(t *testing.T) {
	for p, want := range map[string]string{"a/": "/", "a/.": "/.", "/": "/"} {
		if got := Container.DirMark(p); got != want {
			t.Errorf("DirMark(%q) = %q, want %q", p, got, want)
		}
	}
}
