package archive

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// tree makes a local tree for the tests:
//
//	top/file      "hello", 0751
//	top/sub/empty/
//	top/link -> file
//	top/hard      a second link to file
//	alias -> top
func tree(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	top := filepath.Join(base, "top")
	must(t, os.MkdirAll(filepath.Join(top, "sub", "empty"), 0o755))
	must(t, os.WriteFile(filepath.Join(top, "file"), []byte("hello"), 0o600))
	must(t, os.Chmod(filepath.Join(top, "file"), 0o751))
	if runtime.GOOS != "windows" {
		must(t, os.Symlink("file", filepath.Join(top, "link")))
		must(t, os.Link(filepath.Join(top, "file"), filepath.Join(top, "hard")))
		must(t, os.Symlink("top", filepath.Join(base, "alias")))
	}
	return base
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// entries lists an archive as "name type mode [-> link]" lines.
func entries(t *testing.T, r io.Reader) []string {
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
		line := fmt.Sprintf("%s %c %o", hdr.Name, hdr.Typeflag, hdr.Mode&0o7777)
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

func TestLocalSourceAndTar(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the tree has symlinks and hard links")
	}
	base := tree(t)
	whole := []string{"NAME/ 5 755", "NAME/file 0 751 hello", "NAME/hard 1 751 -> NAME/file",
		"NAME/link 2 777 -> file", "NAME/sub/ 5 755", "NAME/sub/empty/ 5 755"}
	tests := []struct {
		name, path string
		follow     bool
		tarName    string
		wantName   string
		wantDir    bool
		want       []string
	}{
		{"file", "top/file", false, "renamed", "file", false, []string{"renamed 0 751 hello"}},
		{"dir", "top", false, "NAME", "top", true, whole},
		{"dir/", "top/", false, "NAME", "top", true, whole},
		{"dir/. copies the contents", "top/.", false, ".", ".", true,
			[]string{"./ 5 755", "file 0 751 hello", "hard 1 751 -> file", "link 2 777 -> file", "sub/ 5 755", "sub/empty/ 5 755"}},
		{"symlink kept", "top/link", false, "link", "link", false, []string{"link 2 777 -> file"}},
		{"symlink followed with -L", "top/link", true, "link", "link", false, []string{"link 0 751 hello"}},
		{"symlink to a dir kept", "alias", false, "alias", "alias", false, []string{"alias 2 777 -> top"}},
		{"symlink to a dir/ is the dir", "alias/", false, "NAME", "alias", true, whole},
		{"symlinks before the end resolved", "alias/file", false, "file", "file", false, []string{"file 0 751 hello"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(base)
			src, err := LocalSource(tt.path, tt.follow)
			if err != nil {
				t.Fatal(err)
			}
			if src.Name != tt.wantName || src.IsDir != tt.wantDir || !filepath.IsAbs(src.Path) {
				t.Errorf("LocalSource = %+v, want name %q, dir %v, an absolute path", src, tt.wantName, tt.wantDir)
			}
			r := Tar(src, tt.tarName)
			defer r.Close()
			got := entries(t, r)
			want := make([]string, len(tt.want))
			for i, w := range tt.want {
				want[i] = strings.ReplaceAll(w, "NAME", tt.tarName)
			}
			if !slices.Equal(got, want) {
				t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestLocalSourceErrors(t *testing.T) {
	base := tree(t)
	t.Chdir(base)
	if _, err := LocalSource("missing", false); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing source: %v, want not exist", err)
	}
	if _, err := LocalSource("top/file/", false); err == nil {
		t.Error("a file named with a trailing / was accepted")
	}
	if _, err := LocalSource("top/file/.", false); err == nil {
		t.Error("a file named with /. was accepted")
	}
}

func TestTarKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 || runtime.GOOS == "windows" {
		t.Skip("chown needs root")
	}
	base := tree(t)
	must(t, os.Chown(filepath.Join(base, "top", "file"), 1234, 4321))
	src, err := LocalSource(filepath.Join(base, "top", "file"), false)
	must(t, err)
	r := Tar(src, "file")
	defer r.Close()
	hdr, err := tar.NewReader(r).Next()
	must(t, err)
	if hdr.Uid != 1234 || hdr.Gid != 4321 || hdr.Uname != "" {
		t.Errorf("owner = %d:%d %q, want 1234:4321 and no names", hdr.Uid, hdr.Gid, hdr.Uname)
	}
}

func TestLocalDest(t *testing.T) {
	base := tree(t)
	t.Chdir(base)
	tests := []struct {
		path    string
		want    Dst
		wantErr error
	}{
		{"top", Dst{Path: filepath.Join(base, "top"), Exists: true, IsDir: true}, nil},
		{"top/file", Dst{Path: filepath.Join(base, "top", "file"), Exists: true}, nil},
		{"top/new", Dst{Path: filepath.Join(base, "top", "new")}, nil},
		{"top/new/", Dst{Path: filepath.Join(base, "top", "new") + string(filepath.Separator)}, nil},
		{"top/missing/new", Dst{}, ErrNoSuchDir},
		{"top/file/new", Dst{}, ErrNoSuchDir},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests, struct {
			path    string
			want    Dst
			wantErr error
		}{"alias", Dst{Path: filepath.Join(base, "top"), Exists: true, IsDir: true}, nil})
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := LocalDest(tt.path)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("LocalDest = %+v, %v; want %+v, %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
	if _, err := LocalDest("top/file/"); err == nil {
		t.Error("a file named with a trailing / was accepted as a destination")
	}
}
